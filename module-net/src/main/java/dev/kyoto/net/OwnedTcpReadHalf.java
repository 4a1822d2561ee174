package dev.kyoto.net;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The read half of {@link TcpStream#intoSplit()}: owns the read direction of the connection and
 * may move to another task. Closing it stops reads through it; the connection itself closes when
 * both owned halves are closed. {@link #reunite} puts the stream back together.
 */
public final class OwnedTcpReadHalf extends TcpReadSide implements AutoCloseable {
    private final TcpStream stream;
    private final AtomicBoolean closed = new AtomicBoolean();

    OwnedTcpReadHalf(TcpStream stream, TcpCore core) {
        super(core);
        this.stream = stream;
    }

    @Override
    TcpCore use() throws IOException {
        if (closed.get()) {
            throw new IOException("read half closed");
        }
        return core;
    }

    /**
     * Rejoins this half with {@code write}, giving back the stream both came from; both halves
     * are then spent.
     *
     * @throws ReuniteException if the halves came from different streams (both remain usable)
     * @throws IllegalStateException if either half was closed
     */
    public TcpStream reunite(OwnedTcpWriteHalf write) {
        return TcpStream.reunite(this, write);
    }

    TcpStream stream() {
        return stream;
    }

    /** Marks the half spent without releasing the connection, for a reunite. */
    boolean spend() {
        return closed.compareAndSet(false, true);
    }

    boolean isClosed() {
        return closed.get();
    }

    /** Stops reads through this half; closes the connection if the write half is closed too. Idempotent. */
    @Override
    public void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            core.releaseHalf();
        }
    }

    @Override
    public String toString() {
        return "OwnedTcpReadHalf[" + core.io.channel() + "]";
    }
}
