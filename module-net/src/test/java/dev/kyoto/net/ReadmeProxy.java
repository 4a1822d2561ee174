package dev.kyoto.net;

import dev.kyoto.io.Io;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;

/** The proxy of README.md, verbatim; ReadmeProxyTest runs it. */
final class ReadmeProxy {
    private ReadmeProxy() {
    }

    static Async<Void> proxy(TcpListener listener, AcceptBackoff backoff, TcpConnector upstream, String target) {
        return backoff.accept(listener).then(client -> {
            Handle.current().spawn(upstream.connect(target)
                    .then(server -> Io.copyBidirectional(client, server).map(copied -> {
                        client.close();
                        server.close();
                        return copied;
                    })));
            return proxy(listener, backoff, upstream, target);
        });
    }
}
