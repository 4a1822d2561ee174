package dev.kyoto.net.soak;

import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The README's echo server, counted: one accept loop riding out accept failures with an
 * {@link AcceptBackoff}, and a task per connection that owns its socket ({@code Async.using})
 * and echoes through a 16 KiB buffer until end of stream or a failure.
 *
 * <p>The counters are written by the runtime's threads and read by the test.
 */
final class EchoServer implements AutoCloseable {
    /** Connections accepted. */
    final Counter accepted = new Counter();
    /** Connections whose task ended and closed its socket. */
    final Counter ended = new Counter();
    /** Of those, the ones that ended with a failure (a reset, say) rather than end of stream. */
    final Counter failed = new Counter();
    /** Accept failures the back-off rode out. */
    final Counter acceptFailures = new Counter();

    private final KyotoRuntime rt;
    private final TcpListener listener;
    private final JoinHandle<Void> loop;

    private EchoServer(KyotoRuntime rt, TcpListener listener) {
        this.rt = rt;
        this.listener = listener;
        AcceptBackoff backoff = new AcceptBackoff((failure, pause) -> acceptFailures.increment());
        this.loop = rt.spawn(acceptLoop(backoff));
    }

    /** Binds 127.0.0.1 on a free port and starts serving on {@code rt}. */
    static EchoServer start(KyotoRuntime rt) throws Exception {
        return new EchoServer(rt, rt.blockOn(TcpListener.bind("127.0.0.1:0")));
    }

    InetSocketAddress address() throws IOException {
        return listener.localAddress();
    }

    private Async<Void> acceptLoop(AcceptBackoff backoff) {
        return Async.loop(() -> backoff.accept(listener).map(s -> {
            accepted.increment();
            Handle.current().spawn(Async.using(s, conn -> echo(conn)).recover(failure -> {
                failed.increment();
                return null;
            }).map(v -> {
                ended.increment();
                return null;
            }));
            return true;
        }));
    }

    private static Async<Void> echo(TcpStream s) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 1024);
        return Async.loop(() -> s.read(buf.clear()).then(n -> n < 0 ? Async.ready(false)
                : s.writeAll(buf.flip()).map(v -> true)));
    }

    /** Stops accepting: closes the listener and awaits the accept loop's end. Connections go on. */
    @Override
    public void close() throws Exception {
        listener.close();
        try {
            rt.blockOn(loop);
        } catch (IOException e) {
            if (!"listener closed".equals(e.getMessage())) {
                throw e;
            }
        }
    }
}
