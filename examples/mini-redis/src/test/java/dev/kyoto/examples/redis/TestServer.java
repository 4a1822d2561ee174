package dev.kyoto.examples.redis;

import dev.kyoto.net.TcpListener;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;

/** A mini-redis on 127.0.0.1 with a free port, on a two-worker runtime of its own, for a test class. */
final class TestServer implements AutoCloseable {
    private final KyotoRuntime rt;
    private final TcpListener listener;
    private final JoinHandle<Void> serving;

    TestServer() throws Exception {
        rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
        listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
        serving = rt.spawn("mini-redis", new Server().serve(listener));
    }

    int port() {
        return listener.localAddress().getPort();
    }

    RespClient client() throws Exception {
        return new RespClient(port());
    }

    @Override
    public void close() throws Exception {
        serving.abort();
        listener.close();
        rt.close();
    }
}
