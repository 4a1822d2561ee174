package dev.kyoto.net;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What an owned half of {@link TcpStream#intoSplit()} owns: its place in the stream it came from,
 * given up once, either by closing the half or by reuniting it. {@code spent} goes from false to
 * true once, by compare-and-set, so two threads closing one half release the connection once.
 */
final class HalfOwnership {
    private final TcpStream stream;
    private final String closedMessage;
    private final AtomicBoolean spent = new AtomicBoolean();

    HalfOwnership(TcpStream stream, String closedMessage) {
        this.stream = stream;
        this.closedMessage = closedMessage;
    }

    TcpStream stream() {
        return stream;
    }

    /** Fails if the half was given up. */
    void check() throws IOException {
        if (spent.get()) {
            throw new IOException(closedMessage);
        }
    }

    /** Gives the half up; true for the one call that did. */
    boolean spend() {
        return spent.compareAndSet(false, true);
    }

    boolean isSpent() {
        return spent.get();
    }
}
