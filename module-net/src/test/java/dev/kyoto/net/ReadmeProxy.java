package dev.kyoto.net;

import dev.kyoto.io.Io;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;

/** The proxy of README.md, verbatim ({@link DocumentedCodeTest} checks that it is); ReadmeProxyTest runs it. */
final class ReadmeProxy {
    private ReadmeProxy() {
    }

    static Async<Void> proxy(TcpListener listener, AcceptBackoff backoff, TcpConnector upstream, String target) {
        return Async.loop(() -> backoff.accept(listener).map(client -> {
            String name = "proxy " + SocketAddresses.format(client.peerAddress());
            Handle.current().spawn(name, Async.using(client, c -> upstream.connect(target)
                    .then(server -> Async.using(server, s -> Io.copyBidirectional(c, s)))));
            return true;
        }));
    }
}
