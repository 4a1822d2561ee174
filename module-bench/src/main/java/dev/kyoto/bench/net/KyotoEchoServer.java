package dev.kyoto.bench.net;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Kyoto's echo server, as README.md writes it ({@code Async.loop} for both loops, each
 * connection's task owning its socket with {@code Async.using}) but for how it reads and where
 * the accept loop runs. Each accepted connection gets a task that reads and writes everything
 * back until end of stream.
 *
 * <p>How it reads: Netty's read loop, written with Kyoto's public API ({@link ReadBatch}): after
 * a read that fills a 64 KiB direct buffer it reads on without waiting ({@code tryRead}), up to
 * 16 reads, and writes the batch back with one gathering write ({@code write(ByteBuffer[])}),
 * which is what Netty's event loop and {@code EchoServerHandler} do for every Netty server. The
 * README's loop (one read, then {@code writeAll}) writes after every read: on the streaming
 * scenario that measured 4,791-4,982 MiB/s against this loop's 5,092-5,294 and Netty NIO's
 * 4,972-5,151 (six alternating rounds), with a p50 of 48 µs against 41 µs for both. For
 * small messages the two loops make the same system calls.
 *
 * <p>Why the accept loop is spawned: run in {@code blockOn} on the main thread (the README's and
 * {@code kyoto echo-server}'s form, Tokio's {@code #[tokio::main]}), every connection costs a
 * wake of the main thread from the driver and a wake of a worker for the task it spawns. On a
 * multi-thread runtime that measured 4.3 {@code futex} and 2.2 {@code epoll_wait} calls per
 * connection in the connection-rate scenario; spawned, 0.8 and 1.1. A current-thread runtime
 * runs every task on the main thread anyway.
 */
final class KyotoEchoServer implements EchoServer {
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
        return Async.loop(() -> listener.accept().map(stream -> {
            stream.setNoDelay(true);
            Handle.current().spawn(serve(stream));
            return true;
        }));
    }

    /** Echoes one connection, owning its socket; a failed connection (a reset) ends only itself. */
    private static Async<Void> serve(TcpStream stream) {
        return Async.using(stream, s -> echo(s, new ReadBatch())).recover(failure -> null);
    }

    private static Async<Void> echo(TcpStream stream, ReadBatch batch) {
        return Async.loop(() -> stream.read(batch.first()).then(n -> {
            if (n < 0) {
                return Async.ready(false);
            }
            ByteBuffer[] out = batch.readOn(stream, n);
            Async<Void> written = out.length == 1 ? stream.writeAll(out[0]) : writeAll(stream, out);
            return written.map(v -> !batch.ended());
        }));
    }

    /** {@code writeAll} for a gathering write: one system call for the whole batch when the socket takes it. */
    private static Async<Void> writeAll(TcpStream stream, ByteBuffer[] srcs) {
        return stream.write(srcs).then(n -> srcs[srcs.length - 1].hasRemaining()
                ? writeAll(stream, srcs)
                : Async.ready(null));
    }

    @Override
    public void close() {
        runtime.close();
    }
}
