package dev.kyoto.net;

/**
 * Thrown by {@code reunite} when the two owned halves came from different streams. Both halves
 * are left as they were and can be taken back from the exception.
 */
public final class ReuniteException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient OwnedTcpReadHalf read;
    private final transient OwnedTcpWriteHalf write;

    ReuniteException(OwnedTcpReadHalf read, OwnedTcpWriteHalf write) {
        super("tried to reunite halves that are not from the same TcpStream; reunite each read half "
                + "with the write half that intoSplit() returned with it");
        this.read = read;
        this.write = write;
    }

    /** The read half passed to {@code reunite}. */
    public OwnedTcpReadHalf readHalf() {
        return read;
    }

    /** The write half passed to {@code reunite}. */
    public OwnedTcpWriteHalf writeHalf() {
        return write;
    }
}
