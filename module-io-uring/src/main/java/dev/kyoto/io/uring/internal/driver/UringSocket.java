package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.sys.LibC;
import java.io.IOException;
import java.net.SocketException;

/**
 * A socket the io_uring driver owns: a slot in the driver's table, which names the socket in the
 * user data of every operation it submits ({@code slot << 4 | kind}), so a completion finds its
 * socket without a lookup structure.
 *
 * <p>Each socket counts its operations in flight under its own monitor; it gives its slot (and
 * its buffers) back only once the last one has completed, so a completion can never reach a
 * socket that reused the slot. Descriptors are closed with {@code IORING_OP_CLOSE}, queued behind
 * the operations that name them: closed directly, a descriptor's number could be reused by the
 * process before an operation still in the submission queue is issued against it.
 */
abstract sealed class UringSocket permits UringStream, UringListener, UringConnect, UringDatagram {
    /** Kinds of operation, the low four bits of the user data. */
    static final int CANCEL = 14;
    static final int CLOSE = 15;

    final UringDriver driver;
    /** The loop whose ring runs this socket's operations, for its whole life. */
    final RingLoop loop;
    final int fd;
    /** Set once, by {@link UringDriver#register}, before any operation is submitted. */
    int slot;

    UringSocket(UringDriver driver, RingLoop loop, int fd) {
        this.driver = driver;
        this.loop = loop;
        this.fd = fd;
    }

    /** The user data of this socket's operation of {@code kind}. */
    final long userData(int kind) {
        return ((long) slot << 4) | kind;
    }

    /** Hands over a completion of one of this socket's operations; runs on the thread that reaps the ring. */
    abstract void complete(int kind, int result, int flags);

    /**
     * The runtime is shutting down and the ring is closed: every waiter wakes to the shutdown
     * error, and the descriptor is closed directly, since no operation can name it any more.
     */
    abstract void shutDown();

    /** Operations queued or in flight, whose completions have not arrived; under the socket's monitor. */
    int inFlight;

    /**
     * Closes the descriptor through the ring, behind the operations that name it, and enters the
     * ring at once, so the close takes effect now (a peer sees it) even if no thread turns the
     * ring. The operations of {@code cancelled} kinds, in flight, are cancelled first: each holds
     * a reference to the socket that would otherwise keep it open. Under the socket's monitor.
     */
    final void closeThroughRing(int... cancelled) {
        try {
            for (int kind : cancelled) {
                inFlight++;
                loop.submit(Opcode.ASYNC_CANCEL, -1, userData(kind), 0, 0, userData(CANCEL), 0);
            }
            inFlight++;
            loop.submit(Opcode.CLOSE, fd, 0, 0, 0, userData(CLOSE), 0, true);
        } catch (IOException e) {
            // The driver shut down before the close was queued: nothing can name the descriptor any more.
            LibC.close(fd);
        }
    }

    /** The exception for a failed operation, in the JDK's words where the JDK's sockets have their own. */
    static IOException failure(int errno) {
        return switch (errno) {
            case 104 -> new SocketException("Connection reset");
            case 32 -> new SocketException("Broken pipe");
            default -> new SocketException(LibC.describe(errno));
        };
    }
}
