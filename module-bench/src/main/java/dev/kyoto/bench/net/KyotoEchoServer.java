package dev.kyoto.bench.net;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Kyoto's echo server, as README.md writes it but for where the accept loop runs: a task of its
 * own on the runtime ({@code rt.spawn}, Tokio's {@code tokio::spawn}), which the main thread
 * waits for. Each accepted connection gets a task that reads into its buffer and writes it all
 * back, and closes the socket at end of stream. The buffer is direct, of
 * {@link EchoServer#BUFFER_SIZE} bytes (the README's 16 KiB heap buffer would make the streaming
 * scenario four reads, four writes and two copies per 64 KiB where Netty makes one read and one
 * write).
 *
 * <p>Why the accept loop is spawned: run in {@code blockOn} on the main thread (the README's and
 * {@code kyoto echo-server}'s form, Tokio's {@code #[tokio::main]}), every connection costs a
 * wake of the main thread from the driver and a wake of a worker for the task it spawns. On a
 * multi-thread runtime that measured 4.3 {@code futex} and 2.2 {@code epoll_wait} calls per
 * connection in the connection-rate scenario; spawned, 0.8 and 1.1. A current-thread runtime
 * runs every task on the main thread anyway.
 */
final class KyotoEchoServer implements EchoServer {
    /** The first read buffer of a connection; see {@link #grown}. */
    private static final int INITIAL_BUFFER_SIZE = 2 * 1024;
    private final boolean currentThread;
    private KyotoRuntime runtime;
    private TcpListener listener;

    /** @param currentThread a current-thread runtime (every task on the main thread), else a multi-thread one */
    KyotoEchoServer(boolean currentThread) {
        this.currentThread = currentThread;
    }

    @Override
    public InetSocketAddress start(InetSocketAddress address, int workers) throws Exception {
        KyotoRuntime.Builder builder = currentThread
                ? KyotoRuntime.builder().currentThread()
                : KyotoRuntime.builder().multiThread().workerThreads(workers);
        runtime = builder.enableAll().build();
        listener = runtime.blockOn(TcpListener.bind(address));
        return listener.localAddress();
    }

    @Override
    public void serve() throws Exception {
        runtime.blockOn(runtime.spawn(acceptLoop(listener)));
    }

    private static Async<Void> acceptLoop(TcpListener listener) {
        return listener.accept().then(stream -> {
            stream.setNoDelay(true);
            Handle.current().spawn(serve(stream));
            return acceptLoop(listener);
        });
    }

    /** Echoes one connection, then closes it; a failed connection (a reset) ends only itself. */
    private static Async<Void> serve(TcpStream stream) {
        return echo(stream, ByteBuffer.allocateDirect(INITIAL_BUFFER_SIZE))
                .recover(failure -> null)
                .then(v -> {
                    stream.close();
                    return Async.ready(null);
                });
    }

    private static Async<Void> echo(TcpStream stream, ByteBuffer buffer) {
        return stream.read(buffer.clear()).then(n -> n < 0
                ? Async.ready(null)
                : stream.writeAll(buffer.flip()).then(v -> echo(stream, grown(buffer, n))));
    }

    /**
     * The buffer for the next read: four times larger, up to {@link EchoServer#BUFFER_SIZE}, if
     * this read filled it. Netty's adaptive allocator grows the same way, so a connection that
     * only ever sends small messages never pays for allocating and zeroing 64 KiB.
     */
    private static ByteBuffer grown(ByteBuffer buffer, int read) {
        if (read < buffer.capacity() || buffer.capacity() >= BUFFER_SIZE) {
            return buffer;
        }
        return ByteBuffer.allocateDirect(Math.min(BUFFER_SIZE, buffer.capacity() * 4));
    }

    @Override
    public void close() {
        runtime.close();
    }
}
