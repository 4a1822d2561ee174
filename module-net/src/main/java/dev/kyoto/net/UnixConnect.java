package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The Unix-domain connect: open a non-blocking socket, connect, and if the system could not
 * connect at once (a full backlog), wait for write readiness and finish. A failed or abandoned
 * attempt closes its socket.
 */
final class UnixConnect implements Async<UnixStream> {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    private final Path path;
    private PollEvented<SocketChannel> attempt;

    UnixConnect(Path path) {
        this.path = path;
    }

    @Override
    public Poll<UnixStream> poll(Context cx) throws Exception {
        if (attempt == null) {
            attempt = start(path);
        }
        Poll<Boolean> connected;
        try {
            connected = attempt.pollWriteIo(cx, ch -> ch.finishConnect() ? Boolean.TRUE : null);
        } catch (IOException e) {
            close();
            throw UnixPaths.connectFailed(path, e);
        }
        if (connected.isPending()) {
            return Poll.pending();
        }
        UnixStream stream = new UnixStream(attempt);
        attempt = null;
        return Poll.ready(stream);
    }

    /** Opens a socket, starts connecting and registers it; closes it on any failure. */
    private static PollEvented<SocketChannel> start(Path path) throws Exception {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.configureBlocking(false);
            try {
                ch.connect(UnixPaths.address(path));
            } catch (IOException e) {
                throw UnixPaths.connectFailed(path, e);
            }
            return PollEvented.register(ch, READ_WRITE);
        } catch (Exception e) {
            ch.close();
            throw e;
        }
    }

    private void close() {
        PollEvented<SocketChannel> a = attempt;
        attempt = null;
        try {
            a.close();
        } catch (IOException ignored) {
            // The connect failed already; that failure is the one to report.
        }
    }

    @Override
    public void cancel() {
        if (attempt != null) {
            close();
        }
    }
}
