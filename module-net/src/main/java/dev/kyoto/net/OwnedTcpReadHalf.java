package dev.kyoto.net;

import java.io.IOException;

/**
 * The read half of {@link TcpStream#intoSplit()}: owns the read direction of the connection and
 * may move to another task. Closing it stops reads through it; the connection itself closes when
 * both owned halves are closed. {@link #reunite} puts the stream back together.
 */
public final class OwnedTcpReadHalf extends TcpReadSide implements AutoCloseable {
    final HalfOwnership ownership;

    OwnedTcpReadHalf(TcpStream stream, TcpCore core) {
        super(core);
        this.ownership = new HalfOwnership(stream, "read half closed");
    }

    @Override
    TcpCore use() throws IOException {
        ownership.check();
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

    /** Stops reads through this half; closes the connection if the write half is closed too. Idempotent. */
    @Override
    public void close() throws IOException {
        if (ownership.spend()) {
            core.releaseHalf();
        }
    }

    @Override
    public String toString() {
        return "OwnedTcpReadHalf[" + core.socket + "]";
    }
}
