package dev.kyoto.bench.net;

import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Runs one of the peers' echo servers for {@code scripts/netbench}:
 * {@code EchoServerMain KIND [WORKERS [PORT]] [--tls-cert CHAIN.pem --tls-key KEY.pem]}. Kyoto's
 * server is not here: the suite runs the product, {@code kyoto echo-server} from the tool's jlink
 * image. With {@code --tls-cert} and {@code --tls-key} (the Netty servers only) every connection
 * speaks TLS 1.3 through Netty's {@code SslHandler} on the JDK's engine ({@link NettyTls}).
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

    private static final String USAGE =
            "usage: EchoServerMain KIND [WORKERS [PORT]] [--tls-cert CHAIN.pem --tls-key KEY.pem]";

    private static final Map<String, Supplier<EchoServer>> SERVERS = Map.of(
            "netty-nio", () -> new NettyEchoServer(NettyTransport.NIO),
            "netty-epoll", () -> new NettyEchoServer(NettyTransport.EPOLL),
            "netty-iouring", () -> new NettyEchoServer(NettyTransport.IO_URING),
            "vthreads", VirtualThreadEchoServer::new,
            "nio2", Nio2EchoServer::new);

    /** The servers that can speak TLS, by the transport they run on. */
    private static final Map<String, NettyTransport> TLS_SERVERS = Map.of(
            "netty-nio", NettyTransport.NIO,
            "netty-epoll", NettyTransport.EPOLL,
            "netty-iouring", NettyTransport.IO_URING);

    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> positional = new ArrayList<>();
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--")) {
                positional.add(args[i]);
            } else if ((args[i].equals("--tls-cert") || args[i].equals("--tls-key")) && i + 1 < args.length) {
                options.put(args[i], args[++i]);
            } else {
                usage("unknown option " + args[i]);
            }
        }
        if (positional.isEmpty() || positional.size() > 3 || !SERVERS.containsKey(positional.getFirst())) {
            usage("KIND is one of " + String.join(", ", SERVERS.keySet()));
        }
        String kind = positional.getFirst();
        int workers = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : Runtime.getRuntime().availableProcessors();
        int port = positional.size() > 2 ? Integer.parseInt(positional.get(2)) : 0;
        EchoServer server;
        if (options.isEmpty()) {
            server = SERVERS.get(kind).get();
        } else if (options.size() != 2) {
            usage("--tls-cert and --tls-key go together");
            return;
        } else if (!TLS_SERVERS.containsKey(kind)) {
            usage("TLS is for the Netty servers only (" + String.join(", ", TLS_SERVERS.keySet()) + "), not " + kind);
            return;
        } else {
            server = new NettyEchoServer(TLS_SERVERS.get(kind),
                    NettyTls.serverContext(new File(options.get("--tls-cert")), new File(options.get("--tls-key"))));
        }
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

    private static void usage(String problem) {
        System.err.println(USAGE + "\n" + problem);
        System.exit(2);
    }
}
