package dev.kyoto.bench.net;

import dev.kyoto.net.TcpStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The buffers of one connection of {@link KyotoEchoServer}, and Netty's read loop over them
 * ({@code AbstractNioByteChannel.NioByteUnsafe.read}): after a read that fills a 64 KiB buffer,
 * read on into more buffers without waiting, while each read fills its buffer, at most
 * {@link #MAX_READS} reads; then everything goes back with one gathering write, as Netty's
 * {@code EchoServerHandler} flushes once per read loop.
 *
 * <p>A connection starts with one small buffer that grows fourfold whenever a read fills it, up
 * to {@link EchoServer#BUFFER_SIZE}: Netty's adaptive allocator grows the same way, so a
 * connection that only ever sends small messages never pays for allocating and zeroing 64 KiB.
 * The further buffers exist only once a connection streams.
 *
 * <p>Not thread-safe: used by the one task that serves the connection.
 */
final class ReadBatch {
    /** Netty's {@code maxMessagesPerRead} for a socket channel. */
    static final int MAX_READS = 16;
    /** The first read buffer of a connection. */
    static final int INITIAL_BUFFER_SIZE = 2 * 1024;

    private final ByteBuffer[] buffers = new ByteBuffer[MAX_READS];
    /**
     * {@code views[n]} holds the first {@code n} buffers, for a gathering write of a batch of
     * {@code n} reads; made once per length, as the buffers of a streaming connection no longer
     * change once the first has reached full size.
     */
    private final ByteBuffer[][] views = new ByteBuffer[MAX_READS + 1][];
    private final ByteBuffer[] single = new ByteBuffer[1];
    private boolean ended;

    ReadBatch() {
        buffers[0] = ByteBuffer.allocateDirect(INITIAL_BUFFER_SIZE);
    }

    /** The buffer the loop's first read (the one that waits) reads into. */
    ByteBuffer first() {
        return buffers[0].clear();
    }

    /**
     * Called after the first read put {@code read} bytes into {@link #first()}: reads on if that
     * filled a full-size buffer, and returns the buffers to write back, flipped.
     */
    ByteBuffer[] readOn(TcpStream stream, int read) throws IOException {
        ByteBuffer head = buffers[0];
        if (read < head.capacity() || head.capacity() < EchoServer.BUFFER_SIZE) {
            if (read == head.capacity()) {
                buffers[0] = ByteBuffer.allocateDirect(Math.min(EchoServer.BUFFER_SIZE, head.capacity() * 4));
            }
            single[0] = head.flip();
            return single;
        }
        int used = 1;
        ByteBuffer last = head;
        while (used < MAX_READS && !last.hasRemaining()) {
            if (buffers[used] == null) {
                buffers[used] = ByteBuffer.allocateDirect(EchoServer.BUFFER_SIZE);
            }
            ByteBuffer next = buffers[used].clear();
            int n = stream.tryRead(next);
            if (n == 0) {
                break;
            }
            if (n < 0) {
                ended = true;
                break;
            }
            used++;
            last = next;
        }
        ByteBuffer[] out = views[used];
        if (out == null) {
            out = Arrays.copyOf(buffers, used);
            views[used] = out;
        }
        for (ByteBuffer b : out) {
            b.flip();
        }
        return out;
    }

    /** Whether a read on found the end of the stream: nothing follows the buffers it returned. */
    boolean ended() {
        return ended;
    }
}
