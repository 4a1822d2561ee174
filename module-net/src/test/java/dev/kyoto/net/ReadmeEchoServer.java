package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import java.nio.ByteBuffer;

/** The echo server of README.md, verbatim but for its main method; ReadmeEchoServerTest runs it. */
final class ReadmeEchoServer {
    private ReadmeEchoServer() {
    }

    static Async<Void> acceptLoop(TcpListener listener, AcceptBackoff backoff) {
        return backoff.accept(listener).then(s -> {
            Handle.current().spawn(echo(s, ByteBuffer.allocate(16 * 1024)).recover(failure -> null).map(v -> {
                s.close();
                return null;
            }));
            return acceptLoop(listener, backoff);
        });
    }

    static Async<Void> echo(TcpStream s, ByteBuffer buf) {
        return s.read(buf.clear()).then(n -> n < 0 ? Async.ready(null)
                : s.writeAll(buf.flip()).then(v -> echo(s, buf)));
    }
}
