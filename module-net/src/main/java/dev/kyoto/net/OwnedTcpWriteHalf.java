package dev.kyoto.net;

import java.io.IOException;

/**
 * The write half of {@link TcpStream#intoSplit()}: owns the write direction of the connection and
 * may move to another task. Closing it shuts the write direction down, so the peer reads end of
 * stream while reads through the read half go on; the connection itself closes when both owned
 * halves are closed. {@link #reunite} puts the stream back together.
 */
public final class OwnedTcpWriteHalf extends TcpWriteSide implements AutoCloseable {
    final HalfOwnership ownership;

    OwnedTcpWriteHalf(TcpStream stream, TcpCore core) {
        super(core);
        this.ownership = new HalfOwnership(stream, "write half closed");
    }

    @Override
    TcpCore use() throws IOException {
        ownership.check();
        return core;
    }

    /**
     * Rejoins this half with {@code read}, giving back the stream both came from; both halves are
     * then spent.
     *
     * @throws ReuniteException if the halves came from different streams (both remain usable)
     * @throws IllegalStateException if either half was closed
     */
    public TcpStream reunite(OwnedTcpReadHalf read) {
        return TcpStream.reunite(read, this);
    }

    /**
     * Shuts the write direction down and gives up this half; closes the connection if the read
     * half is closed too. Idempotent.
     */
    @Override
    public void close() throws IOException {
        if (ownership.spend()) {
            try {
                if (core.socket.isOpen()) {
                    core.socket.shutdownOutput();
                }
            } finally {
                core.releaseHalf();
            }
        }
    }

    @Override
    public String toString() {
        return "OwnedTcpWriteHalf[" + core.socket + "]";
    }
}
