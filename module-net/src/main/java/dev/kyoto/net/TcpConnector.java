package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A reusable connect policy: Happy Eyeballs v2 (RFC 8305) over every address of the target, an
 * optional overall timeout, a local address and socket options. Immutable; one connector may
 * serve any number of tasks at once.
 *
 * <pre>{@code
 * TcpConnector connector = TcpConnector.builder()
 *         .timeout(Duration.ofSeconds(10))
 *         .noDelay(true)
 *         .build();
 * TcpStream s = rt.blockOn(connector.connect("example.com:443"));
 * }</pre>
 *
 * <p>How a connect runs: the name is resolved on the blocking pool (a literal at once); the
 * addresses are ordered as RFC 8305 section 4 says, the family of the resolver's first address
 * first and then alternating between IPv6 and IPv4; the first attempt starts at once and each
 * further one {@linkplain Builder#attemptDelay after the attempt delay} (250 ms unless set) or as
 * soon as an attempt fails, while earlier attempts keep going. The first attempt to connect wins;
 * every other one is closed. If every attempt fails, the error (a
 * {@link java.net.ConnectException} if all were refused, else an {@link java.io.IOException})
 * names each address and carries each attempt's failure as a suppressed exception. With a
 * timeout, a late connect fails with {@link java.net.SocketTimeoutException} naming the target
 * and the limit. Cancelling the computation closes every socket it opened.
 *
 * <p>Each attempt is a fresh {@link TcpSocket} with the connector's options, bound to its local
 * address if one is set (then only addresses of that family are tried). Connecting needs a
 * runtime with I/O and timers ({@code enableAll()}). {@link TcpStream#connect(String)} stays the
 * plain sequential connect, as in Tokio.
 */
public final class TcpConnector {
    /** The attempt delay unless one is set: RFC 8305's recommended Connection Attempt Delay. */
    public static final Duration DEFAULT_ATTEMPT_DELAY = Duration.ofMillis(250);
    /** The smallest attempt delay: RFC 8305 section 5 says it MUST NOT be less than 10 ms. */
    public static final Duration MIN_ATTEMPT_DELAY = Duration.ofMillis(10);

    private final Duration timeout;
    private final Duration attemptDelay;
    private final InetSocketAddress localAddress;
    private final TcpSocketOptions options;

    private TcpConnector(Builder b) {
        this.timeout = b.timeout;
        this.attemptDelay = b.attemptDelay;
        this.localAddress = b.localAddress;
        this.options = new TcpSocketOptions(b.reuseAddress, b.noDelay, b.keepAlive, b.sendBufferSize,
                b.receiveBufferSize, b.lingerSeconds);
    }

    /** A builder with no timeout, the default attempt delay, no local address and the system's socket options. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects to {@code HOST:PORT} (or {@code [IPV6]:PORT}).
     *
     * @param hostAndPort the target, for example {@code example.com:443}
     * @return the connect, to poll or {@code blockOn}
     * @throws IllegalArgumentException at once if the text is not of that form
     */
    public Async<TcpStream> connect(String hostAndPort) {
        return race(Dns.lookup(hostAndPort), hostAndPort);
    }

    /**
     * Connects to {@code host} (a name or a literal) at {@code port}.
     *
     * @param host a host name or an address literal
     * @param port the port, 0 to 65535
     * @return the connect, to poll or {@code blockOn}
     * @throws IllegalArgumentException at once if the port is out of range or the host is empty
     */
    public Async<TcpStream> connect(String host, int port) {
        return race(Dns.lookup(host, port), host + ":" + port);
    }

    /**
     * Connects to {@code address}; an unresolved {@link InetSocketAddress} is resolved first.
     *
     * @param address the target
     * @return the connect, to poll or {@code blockOn}
     * @throws IllegalArgumentException if it is not an {@link InetSocketAddress}
     */
    public Async<TcpStream> connect(SocketAddress address) {
        Objects.requireNonNull(address, "address");
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("TcpConnector.connect takes an InetSocketAddress, was " + address);
        }
        return race(Dns.lookup(isa), address);
    }

    /**
     * Races the given resolved addresses, treating the list as a resolver's answer (it is
     * reordered by family as the class comment says).
     *
     * @param addresses the target's addresses, in the order a resolver would give them
     * @return the connect, to poll or {@code blockOn}
     * @throws IllegalArgumentException if an address is not a resolved {@link InetSocketAddress}
     */
    public Async<TcpStream> connect(List<? extends SocketAddress> addresses) {
        List<InetSocketAddress> inet = new ArrayList<>(addresses.size());
        for (SocketAddress a : addresses) {
            if (!(a instanceof InetSocketAddress isa) || isa.isUnresolved()) {
                throw new IllegalArgumentException("TcpConnector.connect takes resolved InetSocketAddresses, was " + a
                        + "; pass a HOST:PORT string to have a name resolved");
            }
            inet.add(isa);
        }
        List<InetSocketAddress> copy = List.copyOf(inet);
        return race(Async.ready(copy), copy);
    }

    private Async<TcpStream> race(Async<List<InetSocketAddress>> resolving, Object target) {
        HappyEyeballs race = new HappyEyeballs(resolving, target, attemptDelay, localAddress, options);
        return timeout == null ? race : new ConnectTimeout(race, target, timeout);
    }

    /** The overall limit on a connect, resolution included; empty for none. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The delay between starting one attempt and the next. */
    public Duration attemptDelay() {
        return attemptDelay;
    }

    /** The local address each attempt binds to; empty to let the system choose. */
    public Optional<InetSocketAddress> localAddress() {
        return Optional.ofNullable(localAddress);
    }

    @Override
    public String toString() {
        String opts = options.toString();
        return "TcpConnector[attemptDelay=" + attemptDelay.toMillis() + " ms"
                + (timeout == null ? "" : ", timeout=" + timeout.toMillis() + " ms")
                + (localAddress == null ? "" : ", localAddress=" + localAddress)
                + (opts.isEmpty() ? "" : ", " + opts) + "]";
    }

    /** Collects a connector's settings; {@link #build()} makes an immutable {@link TcpConnector}. */
    public static final class Builder {
        private Duration timeout;
        private Duration attemptDelay = DEFAULT_ATTEMPT_DELAY;
        private InetSocketAddress localAddress;
        private Boolean reuseAddress;
        private Boolean noDelay;
        private Boolean keepAlive;
        private Integer sendBufferSize;
        private Integer receiveBufferSize;
        private Integer lingerSeconds;

        private Builder() {
        }

        /**
         * Bounds each connect, resolution and every attempt included. A connect still running at
         * the limit is cancelled (its sockets closed) and fails with
         * {@link java.net.SocketTimeoutException}.
         *
         * @param limit the longest a connect may take
         * @return this builder
         * @throws IllegalArgumentException if {@code limit} is zero or negative
         */
        public Builder timeout(Duration limit) {
            Objects.requireNonNull(limit, "limit");
            if (limit.isNegative() || limit.isZero()) {
                throw new IllegalArgumentException("a connect timeout must be positive, was " + limit
                        + "; for no timeout do not call timeout()");
            }
            this.timeout = limit;
            return this;
        }

        /**
         * Sets how long an attempt runs alone before the next one starts (RFC 8305's Connection
         * Attempt Delay; 250 ms by default, 100 ms to 2 s are the RFC's recommended bounds).
         *
         * @param delay the delay, at least 10 ms
         * @return this builder
         * @throws IllegalArgumentException if {@code delay} is less than {@link TcpConnector#MIN_ATTEMPT_DELAY}
         */
        public Builder attemptDelay(Duration delay) {
            Objects.requireNonNull(delay, "delay");
            if (delay.compareTo(MIN_ATTEMPT_DELAY) < 0) {
                throw new IllegalArgumentException("an attempt delay must be at least 10 ms (RFC 8305 section 5),"
                        + " was " + delay + "; the recommended value is 250 ms, TcpConnector.DEFAULT_ATTEMPT_DELAY");
            }
            this.attemptDelay = delay;
            return this;
        }

        /**
         * Binds every attempt's socket to {@code address} (port 0 lets the system choose the
         * port). Only target addresses of its family are tried.
         *
         * @param address a resolved local address
         * @return this builder
         * @throws IllegalArgumentException if {@code address} is unresolved
         */
        public Builder localAddress(InetSocketAddress address) {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("a connector's local address must be resolved, was " + address
                        + "; use an address literal such as new InetSocketAddress(\"127.0.0.1\", 0)");
            }
            this.localAddress = address;
            return this;
        }

        /** Sets {@code SO_REUSEADDR} on every attempt's socket; see {@link TcpSocket#setReuseAddress}. */
        public Builder reuseAddress(boolean reuse) {
            this.reuseAddress = reuse;
            return this;
        }

        /** Sets {@code TCP_NODELAY} on every attempt's socket; see {@link TcpSocket#setNoDelay}. */
        public Builder noDelay(boolean noDelay) {
            this.noDelay = noDelay;
            return this;
        }

        /** Sets {@code SO_KEEPALIVE} on every attempt's socket; see {@link TcpSocket#setKeepAlive}. */
        public Builder keepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        /**
         * Sets {@code SO_SNDBUF} on every attempt's socket; see {@link TcpSocket#setSendBufferSize}.
         *
         * @param size the size in bytes
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is not positive
         */
        public Builder sendBufferSize(int size) {
            this.sendBufferSize = positive(size, "send");
            return this;
        }

        /**
         * Sets {@code SO_RCVBUF} on every attempt's socket; see {@link TcpSocket#setReceiveBufferSize}.
         *
         * @param size the size in bytes
         * @return this builder
         * @throws IllegalArgumentException if {@code size} is not positive
         */
        public Builder receiveBufferSize(int size) {
            this.receiveBufferSize = positive(size, "receive");
            return this;
        }

        private static int positive(int size, String which) {
            if (size <= 0) {
                throw new IllegalArgumentException("a " + which + " buffer size must be positive, was " + size
                        + "; pass the number of bytes wanted, for example 65536");
            }
            return size;
        }

        /**
         * Sets {@code SO_LINGER} on every attempt's socket, or off with null; see
         * {@link TcpSocket#setLinger}.
         *
         * @param linger whole seconds, zero to reset on close, or null for off
         * @return this builder
         * @throws IllegalArgumentException if {@code linger} is negative or not whole seconds
         */
        public Builder linger(Duration linger) {
            this.lingerSeconds = TcpSocket.lingerSeconds(linger);
            return this;
        }

        /** Sets {@code SO_LINGER} to zero: closing a connection resets it; see {@link TcpSocket#setZeroLinger}. */
        public Builder zeroLinger() {
            return linger(Duration.ZERO);
        }

        /** The connector; the builder may be changed and built again. */
        public TcpConnector build() {
            return new TcpConnector(this);
        }
    }
}
