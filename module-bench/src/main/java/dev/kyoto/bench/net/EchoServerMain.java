package dev.kyoto.bench.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one of the peers' echo servers for {@code scripts/netbench}:
 * {@code EchoServerMain KIND [WORKERS] [PORT]}. Kyoto's server is not here: the suite runs the
 * product, {@code kyoto echo-server} from the tool's jlink image.
 *
 * <p>Prints {@code listening 127.0.0.1:PORT} once the socket listens, then serves until killed.
 * A server that cannot run here (Netty's io_uring transport on a kernel that refuses it) prints
 * {@code unavailable: REASON} and exits with status 3, so the suite reports why instead of
 * dropping it. Each server runs in a JVM of its own, so that the CPU time in
 * {@code /proc/PID/stat} is that server's alone.
 */
public final class EchoServerMain {
    /** Exit status of a server that cannot run on this machine. */
    static final int UNAVAILABLE = 3;

    private static final Map<String, Supplier<EchoServer>> SERVERS = Map.of(
            "netty-nio", () -> new NettyEchoServer(NettyTransport.NIO),
            "netty-epoll", () -> new NettyEchoServer(NettyTransport.EPOLL),
            "netty-iouring", () -> new NettyEchoServer(NettyTransport.IO_URING),
            "vthreads", VirtualThreadEchoServer::new,
            "nio2", Nio2EchoServer::new);

    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !SERVERS.containsKey(args[0])) {
            System.err.println("usage: EchoServerMain " + String.join("|", SERVERS.keySet()) + " [WORKERS] [PORT]");
            System.exit(2);
        }
        int workers = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int port = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        EchoServer server = SERVERS.get(args[0]).get();
        InetSocketAddress bound;
        try {
            bound = server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), workers);
        } catch (UnavailableException e) {
            System.out.println("unavailable: " + e.getMessage());
            System.exit(UNAVAILABLE);
            return;
        }
        System.out.println("listening " + bound.getAddress().getHostAddress() + ":" + bound.getPort());
        System.out.flush();
        server.serve();
    }
}
