package dev.kyoto.examples.redis;

import dev.kyoto.net.SocketAddresses;
import dev.kyoto.net.TcpListener;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;

/**
 * {@code mini-redis [--bind HOST:PORT]}: serves Redis clients on a multi-thread runtime until
 * the process is stopped (SIGTERM or SIGINT end the JVM). Prints {@code listening on HOST:PORT}
 * first, with the port bound, so that a caller that asked for port 0 learns it.
 */
public final class Main {
    private static final String DEFAULT_BIND = "127.0.0.1:6379";

    private Main() {
    }

    /**
     * Serves until the process is stopped.
     *
     * @param args {@code --bind HOST:PORT} (default {@value #DEFAULT_BIND}; port 0 picks a free one)
     * @throws Exception if the address cannot be bound, or the listener fails for good
     */
    public static void main(String[] args) throws Exception {
        String bind = DEFAULT_BIND;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--bind") && i + 1 < args.length) {
                bind = args[++i];
            } else if (args[i].startsWith("--bind=")) {
                bind = args[i].substring("--bind=".length());
            } else {
                System.err.println("mini-redis: unexpected argument '" + args[i] + "'; usage: mini-redis [--bind HOST:PORT]");
                System.exit(2);
            }
        }
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().enableAll().build()) {
            TcpListener listener;
            try {
                listener = rt.blockOn(TcpListener.bind(bind));
            } catch (IOException e) {
                System.err.println("mini-redis: cannot listen on " + bind + ": " + e.getMessage()
                        + "; choose another address with --bind HOST:PORT (port 0 picks a free one)");
                System.exit(1);
                return;
            }
            try (listener) {
                System.out.println("listening on " + SocketAddresses.format(listener.localAddress()));
                System.out.flush();
                rt.blockOn(new Server().serve(listener));
            }
        }
    }
}
