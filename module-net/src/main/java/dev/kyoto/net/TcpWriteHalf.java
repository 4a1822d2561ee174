package dev.kyoto.net;

/**
 * The write half of {@link TcpStream#split()}: a view of the stream's write direction for one
 * task while another reads through the {@link TcpReadHalf}. The stream still owns the connection;
 * {@link #shutdownOutput()} ends the write direction only.
 */
public final class TcpWriteHalf extends TcpWriteSide {
    TcpWriteHalf(TcpCore core) {
        super(core);
    }

    @Override
    TcpCore use() {
        return core;
    }

    @Override
    public String toString() {
        return "TcpWriteHalf[" + core.socket + "]";
    }
}
