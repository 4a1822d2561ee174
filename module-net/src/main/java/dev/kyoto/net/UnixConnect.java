package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.spi.ConnectingSocket;
import dev.kyoto.io.spi.SocketDriver;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.spi.DriverHandle;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The Unix-domain connect: on a driver that owns its sockets, the driver's connect; otherwise open
 * a non-blocking JDK channel, connect, and if the system could not connect at once (a full
 * backlog), wait for write readiness and finish. A failed or abandoned attempt closes its socket.
 */
final class UnixConnect implements Async<UnixStream> {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    private final Path path;
    private PollEvented<SocketChannel> attempt;
    private ConnectingSocket driven;

    UnixConnect(Path path) {
        this.path = path;
    }

    @Override
    public Poll<UnixStream> poll(Context cx) throws Exception {
        if (attempt == null && driven == null) {
            if (DriverHandle.current().io().driver() instanceof SocketDriver driver) {
                try {
                    driven = driver.connect(UnixPaths.address(path));
                } catch (IOException e) {
                    throw UnixPaths.connectFailed(path, e);
                }
            } else {
                attempt = start(path);
            }
        }
        return driven != null ? pollDriven(cx) : pollChannel(cx);
    }

    private Poll<UnixStream> pollDriven(Context cx) throws Exception {
        Poll<StreamSocket> connected;
        try {
            connected = driven.pollConnect(cx);
        } catch (IOException e) {
            cancel();
            throw UnixPaths.connectFailed(path, e);
        }
        if (connected.isPending()) {
            return Poll.pending();
        }
        driven = null;
        return Poll.ready(new UnixStream(connected.value()));
    }

    private Poll<UnixStream> pollChannel(Context cx) throws Exception {
        Poll<Boolean> connected;
        try {
            connected = attempt.pollWriteIo(cx, ch -> ch.finishConnect() ? Boolean.TRUE : null);
        } catch (IOException e) {
            cancel();
            throw UnixPaths.connectFailed(path, e);
        }
        if (connected.isPending()) {
            return Poll.pending();
        }
        ChannelStreamSocket socket = new ChannelStreamSocket(attempt);
        attempt = null;
        return Poll.ready(new UnixStream(socket));
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

    @Override
    public void cancel() {
        if (driven != null) {
            driven.close();
            driven = null;
        }
        if (attempt != null) {
            PollEvented<SocketChannel> a = attempt;
            attempt = null;
            try {
                a.close();
            } catch (IOException ignored) {
                // The connect failed or was abandoned; nothing is left to report.
            }
        }
    }
}
