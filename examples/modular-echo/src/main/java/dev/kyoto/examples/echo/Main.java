package dev.kyoto.examples.echo;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A TCP echo server: every connection gets its own bytes back, each served by its own task on a
 * multi-thread runtime. Prints {@code listening on HOST:PORT} first, so a caller that asked for
 * port 0 learns the port.
 */
public final class Main {
    private Main() {
    }

    /**
     * Serves until the process is killed.
     *
     * @param args the address to listen on, {@code HOST:PORT}; default {@code 127.0.0.1:7000}
     * @throws Exception if the address cannot be bound, or accepting fails
     */
    public static void main(String[] args) throws Exception {
        String bind = args.length > 0 ? args[0] : "127.0.0.1:7000";
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().enableAll().build();
                TcpListener listener = rt.blockOn(TcpListener.bind(bind))) {
            System.out.println("listening on " + hostAndPort(listener.localAddress()));
            rt.blockOn(acceptLoop(listener));
        }
    }

    /** Accepts forever, spawning a task per connection; a loop in tail position runs in constant stack. */
    private static Async<Void> acceptLoop(TcpListener listener) {
        return listener.accept().then(stream -> {
            Handle.current().spawn(serve(stream));
            return acceptLoop(listener);
        });
    }

    /** Echoes one connection until the client's end of stream, then closes it; a failure ends only this connection. */
    private static Async<Void> serve(TcpStream stream) {
        return echo(stream, ByteBuffer.allocate(16 * 1024))
                .recover(failure -> {
                    System.err.println("connection failed: " + failure);
                    return null;
                })
                .then(v -> {
                    stream.close();
                    return Async.ready(null);
                });
    }

    private static Async<Void> echo(TcpStream stream, ByteBuffer buffer) {
        return stream.read(buffer.clear()).then(n -> n < 0
                ? Async.ready(null)
                : stream.writeAll(buffer.flip()).then(v -> echo(stream, buffer)));
    }

    private static String hostAndPort(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
