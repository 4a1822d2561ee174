package dev.kyoto.net;

import dev.kyoto.net.internal.HostPorts;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.Poll;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Name resolution. Literal addresses resolve at once; host names are looked up with
 * {@link InetAddress#getAllByName} on the runtime's blocking pool, so a slow resolver never
 * stalls a task thread.
 *
 * <pre>{@code
 * List<InetSocketAddress> addresses = rt.blockOn(Dns.lookup("localhost:8080"));
 * }</pre>
 */
public final class Dns {
    private Dns() {
    }

    /**
     * Resolves {@code HOST:PORT} (or {@code [IPV6]:PORT}) to socket addresses, in the resolver's order.
     *
     * @throws IllegalArgumentException at once if the text is not of that form
     */
    public static Async<List<InetSocketAddress>> lookup(String hostAndPort) {
        HostPorts.HostPort hp = HostPorts.parse(hostAndPort);
        return lookup(hp.host(), hp.port());
    }

    /**
     * Resolves {@code host} and pairs each address with {@code port}. A failed lookup throws the
     * resolver's {@link java.net.UnknownHostException} unchanged.
     *
     * @throws IllegalArgumentException at once if the host is empty or the port out of range
     */
    public static Async<List<InetSocketAddress>> lookup(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            // InetAddress.getAllByName("") answers with the loopback address; an empty host is a mistake.
            throw new IllegalArgumentException("cannot resolve an empty host name; pass a name or an address"
                    + " literal, for example localhost or 127.0.0.1");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        }
        List<InetSocketAddress> literal = HostPorts.literalAddresses(host, port);
        return literal != null ? Async.ready(literal) : new Lookup(host, port);
    }

    /**
     * Resolves {@code address}: a resolved address is its own answer, at once; an unresolved one
     * is looked up by its host name and port.
     */
    public static Async<List<InetSocketAddress>> lookup(InetSocketAddress address) {
        Objects.requireNonNull(address, "address");
        return address.isUnresolved() ? lookup(address.getHostString(), address.getPort()) : Async.ready(List.of(address));
    }

    /** A lookup on the blocking pool, started on first poll so it runs on the polling task's runtime. */
    private static final class Lookup implements Async<List<InetSocketAddress>> {
        private final String host;
        private final int port;
        private JoinHandle<List<InetSocketAddress>> job;

        Lookup(String host, int port) {
            this.host = host;
            this.port = port;
        }

        @Override
        public Poll<List<InetSocketAddress>> poll(Context cx) throws Exception {
            if (job == null) {
                job = Handle.current().spawnBlocking(() -> {
                    InetAddress[] all = InetAddress.getAllByName(host);
                    List<InetSocketAddress> out = new ArrayList<>(all.length);
                    for (InetAddress a : all) {
                        out.add(new InetSocketAddress(a, port));
                    }
                    return List.copyOf(out);
                });
            }
            return job.poll(cx);
        }

        @Override
        public void cancel() {
            if (job != null) {
                job.abort();
            }
        }
    }
}
