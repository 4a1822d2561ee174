package dev.kyoto.net.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Connections by the hundred thousand, each over in a moment: refused ones, and ones the server
 * accepts and closes at once. Whatever a connect or an accept opened is closed on every path, so
 * the process's descriptors and the driver's registrations come back to where they were.
 */
class ConnectionChurnSoakTest {
    private static final int CONNECTIONS = Soak.size(2_000, 100_000);
    /** Connects under way at once: enough to keep both cores busy. */
    private static final int AT_ONCE = 16;
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final Figures FIGURES = Figures.of(ConnectionChurnSoakTest.class);

    /**
     * Connects to a port that a socket holds bound but does not listen on (so no other process
     * can take it meanwhile): each connect is refused, with the address named in the error.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void refusedConnectsLeaveNothingOpen(Flavour flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = flavour.build("churn"); SocketChannel reserved = SocketChannel.open()) {
                reserved.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                InetSocketAddress address = (InetSocketAddress) reserved.getLocalAddress();
                Descriptors.Baseline base = Descriptors.baseline(rt);
                Counter refused = new Counter();
                long start = System.nanoTime();
                List<JoinHandle<Void>> connectors = new ArrayList<>();
                for (int i = 0; i < AT_ONCE; i++) {
                    connectors.add(rt.spawn(refuse(address, share(i), refused)));
                }
                for (JoinHandle<Void> h : connectors) {
                    rt.blockOn(h);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(CONNECTIONS, refused.get(), "refused connects");
                Descriptors.awaitBack(rt, base, "after " + CONNECTIONS + " refused connects");
                FIGURES.add("refused, %s: %,d connects in %.1f s (%,.0f/s); descriptors %d before, %d after; registrations %d, %d",
                        flavour, CONNECTIONS, seconds, CONNECTIONS / seconds, base.fds(), Descriptors.open(),
                        base.registrations(), Descriptors.registrations(rt));
            }
        });
    }

    private static Async<Void> refuse(InetSocketAddress address, int remaining, Counter refused) {
        if (remaining == 0) {
            return Async.ready(null);
        }
        String named = address.getAddress().getHostAddress() + ":" + address.getPort();
        return TcpStream.connect(address).<Void>map(s -> {
            s.close();
            throw new AssertionError("a connect to " + named + ", where nothing listens, succeeded");
        }).recover(e -> {
            if (!(e instanceof ConnectException) || !String.valueOf(e.getMessage()).endsWith(named)) {
                throw e;
            }
            refused.increment();
            return null;
        }).then(v -> refuse(address, remaining - 1, refused));
    }

    /**
     * A server that accepts each connection and closes it at once, and clients that connect,
     * read the end of stream and close: every socket on both sides is closed.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Flavour.class)
    void acceptedAndClosedConnectionsLeaveNothingOpen(Flavour flavour) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = flavour.build("churn")) {
                Descriptors.Baseline base = Descriptors.baseline(rt);
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                Counter accepted = new Counter();
                Counter acceptFailures = new Counter();
                AcceptBackoff backoff = new AcceptBackoff((failure, pause) -> acceptFailures.increment());
                JoinHandle<Void> server = rt.spawn(acceptAndClose(listener, backoff, accepted));
                Counter ended = new Counter();
                long start = System.nanoTime();
                List<JoinHandle<Void>> clients = new ArrayList<>();
                for (int i = 0; i < AT_ONCE; i++) {
                    clients.add(rt.spawn(connectAndSeeTheEnd(listener.localAddress(), share(i), ended)));
                }
                for (JoinHandle<Void> h : clients) {
                    rt.blockOn(h);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals(CONNECTIONS, ended.get(), "connections that saw the server close");
                assertEquals(CONNECTIONS, accepted.get(), "connections accepted");
                assertEquals(0, acceptFailures.get(), "accept failures");
                listener.close();
                try {
                    rt.blockOn(server);
                } catch (IOException e) {
                    assertEquals("listener closed", e.getMessage());
                }
                Descriptors.awaitBack(rt, base, "after " + CONNECTIONS + " accepted and closed connections");
                FIGURES.add("accepted and closed, %s: %,d connections in %.1f s (%,.0f/s); descriptors %d before, %d after;"
                        + " registrations %d, %d", flavour, CONNECTIONS, seconds, CONNECTIONS / seconds, base.fds(),
                        Descriptors.open(), base.registrations(), Descriptors.registrations(rt));
            }
        });
    }

    private static Async<Void> acceptAndClose(TcpListener listener, AcceptBackoff backoff, Counter accepted) {
        return backoff.accept(listener).then(s -> {
            // Counted before the close: the close ends a client, and the last client's end lets
            // the test read the count, from another thread, while this task may not have run on.
            accepted.increment();
            s.close();
            return acceptAndClose(listener, backoff, accepted);
        });
    }

    private static Async<Void> connectAndSeeTheEnd(InetSocketAddress server, int remaining, Counter ended) {
        if (remaining == 0) {
            return Async.ready(null);
        }
        ByteBuffer buf = ByteBuffer.allocate(1);
        return TcpStream.connect(server).then(s -> s.read(buf).map(n -> {
            s.close();
            if (n != -1) {
                throw new AssertionError("read " + n + " bytes from a server that sends none");
            }
            ended.increment();
            return null;
        })).then(v -> connectAndSeeTheEnd(server, remaining - 1, ended));
    }

    /** Connector {@code i}'s share of the connections. */
    private static int share(int i) {
        return CONNECTIONS / AT_ONCE + (i < CONNECTIONS % AT_ONCE ? 1 : 0);
    }
}
