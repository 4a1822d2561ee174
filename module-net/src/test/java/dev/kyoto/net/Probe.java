package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Polls computations by hand inside a runtime, with a waker that counts, as tokio-test's
 * {@code task::spawn} does; and opens a Kyoto stream whose peer is a plain blocking socket.
 */
final class Probe<T> {
    final AtomicInteger wakes = new AtomicInteger();
    private final Context cx = new Context(wakes::incrementAndGet);
    private final KyotoRuntime rt;
    private final Async<T> async;

    Probe(KyotoRuntime rt, Async<T> async) {
        this.rt = rt;
        this.async = async;
    }

    /** Polls once on the runtime's thread. */
    Poll<T> poll() throws Exception {
        return rt.blockOn(c -> Poll.ready(async.poll(cx)));
    }

    /** Cancels on the runtime's thread. */
    void cancel() throws Exception {
        rt.blockOn(c -> {
            async.cancel();
            return Poll.ready(null);
        });
    }

    /** Lets the runtime's driver turn until the computation has been woken {@code n} times in all. */
    void awaitWakes(int n) throws Exception {
        while (wakes.get() < n) {
            rt.blockOn(Async.yieldNow());
        }
    }

    /** A Kyoto stream accepted by {@code listener} and its peer, a plain blocking socket. */
    record Pair(TcpStream stream, Socket peer) implements AutoCloseable {
        static Pair open(KyotoRuntime rt) throws Exception {
            try (TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                Socket peer = new Socket();
                peer.connect(listener.localAddress());
                peer.setTcpNoDelay(true);
                TcpStream stream = rt.blockOn(listener.accept());
                return new Pair(stream, peer);
            }
        }

        InetSocketAddress peerLocal() {
            return (InetSocketAddress) peer.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            stream.close();
            peer.close();
        }
    }
}
