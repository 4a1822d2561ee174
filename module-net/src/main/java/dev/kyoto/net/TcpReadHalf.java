package dev.kyoto.net;

/**
 * The read half of {@link TcpStream#split()}: a view of the stream's read direction for one task
 * while another writes through the {@link TcpWriteHalf}. The stream still owns the connection:
 * closing the stream ends both halves, and the halves have nothing to close.
 */
public final class TcpReadHalf extends TcpReadSide {
    TcpReadHalf(TcpCore core) {
        super(core);
    }

    @Override
    TcpCore use() {
        return core;
    }

    @Override
    public String toString() {
        return "TcpReadHalf[" + core.socket + "]";
    }
}
