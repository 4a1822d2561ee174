package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.task.CancellationToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The guide's examples do what docs/structured-concurrency.md says, and leave no descriptor behind. */
class GuideExamplesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @BeforeAll
    static void openWhatTheJdkKeepsOpen() throws IOException {
        Loopback.openJdkPreCloseDescriptor();
    }

    private static KyotoRuntime runtime() {
        return KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
    }

    /** An echo server on {@code rt}; returns its address. */
    private static String echoServer(KyotoRuntime rt) throws Exception {
        TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
        rt.blockOn(cx -> {
            Loopback.spawnEchoServer(listener);
            return Poll.ready(null);
        });
        return "127.0.0.1:" + listener.localAddress().getPort();
    }

    /** A server whose kernel completes connections that nobody ever accepts or answers. */
    private static ServerSocket silentServer() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @Test
    void askAndItsTimeoutCloseTheirSocket() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = runtime(); ServerSocket silent = silentServer()) {
                String echo = echoServer(rt);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                assertEquals("ping", rt.blockOn(GuideExamples.ask(echo, "ping")));
                assertThrows(TimeoutException.class, () -> rt.blockOn(
                        GuideExamples.askWithin(Duration.ofMillis(50), "127.0.0.1:" + silent.getLocalPort(), "ping")));
                Released.await(rt, fds, regs, "ask's socket and the timed-out one are closed");
            }
        });
    }

    @Test
    void askAllGivesEveryAnswerAndItsFirstFailureClosesTheOthersSockets() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = runtime(); ServerSocket silent = silentServer()) {
                String a = echoServer(rt);
                String b = echoServer(rt);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                assertEquals(List.of("hi", "hi"), rt.blockOn(GuideExamples.askAll(List.of(a, b), "hi")));
                assertEquals(List.of("hi", "hi"), rt.blockOn(GuideExamples.askAllAsTasks(List.of(a, b), "hi")));
                String refused = "127.0.0.1:" + Loopback.refusedAddress().getPort();
                String waiting = "127.0.0.1:" + silent.getLocalPort();
                assertThrows(ConnectException.class, () -> rt.blockOn(GuideExamples.askAll(List.of(waiting, refused), "hi")));
                assertThrows(ConnectException.class,
                        () -> rt.blockOn(GuideExamples.askAllAsTasks(List.of(waiting, refused), "hi")));
                Released.await(rt, fds, regs, "the question still waiting on the silent server was cancelled and closed");
            }
        });
    }

    @Test
    void askEitherTakesTheFirstAnswerAndClosesTheLosersSocket() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = runtime(); ServerSocket silent = silentServer()) {
                String replica = echoServer(rt);
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                assertEquals("which?", rt.blockOn(
                        GuideExamples.askEither("127.0.0.1:" + silent.getLocalPort(), replica, "which?")));
                Released.await(rt, fds, regs, "the primary's socket closed when it lost");
            }
        });
    }

    @Test
    void serveStopsAcceptingOnShutdownLetsConnectionsFinishAndAbortsTheRestAfterTheGrace() {
        assertTimeoutPreemptively(TIMEOUT, () -> {
            try (KyotoRuntime rt = runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                int port = listener.localAddress().getPort();
                long fds = Loopback.openDescriptors();
                CancellationToken shutdown = new CancellationToken();
                JoinHandle<Void> server = rt.spawn("server", GuideExamples.serve(listener, shutdown, Duration.ofMillis(200)));
                try (Socket finishing = new Socket(InetAddress.getLoopbackAddress(), port);
                        Socket lingering = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    finishing.setSoTimeout(30_000);
                    lingering.setSoTimeout(30_000);
                    assertEquals("a", roundTrip(finishing, "a"));
                    assertEquals("b", roundTrip(lingering, "b"));

                    shutdown.cancel();
                    assertTrue(refusedOnceClosed(port), "new connections are refused once shutdown began");
                    assertEquals("c", roundTrip(finishing, "c"), "open connections are still served during the grace");
                    finishing.shutdownOutput();
                    assertEquals(-1, finishing.getInputStream().read(), "a connection that ends in the grace ends normally");
                    assertEquals(-1, lingering.getInputStream().read(), "the one still open after the grace is closed");
                }
                rt.blockOn(server);
                assertEquals(fds - 1, Loopback.awaitDescriptors(rt, fds - 1), "every connection's and the listener's descriptor back");
            }
        });
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes());
        InputStream in = s.getInputStream();
        return new String(in.readNBytes(text.length()));
    }

    /**
     * Whether a connect is refused, trying until the server has closed its listener: until then a
     * connect may still be accepted, or reset when the listener closes with it in the backlog.
     */
    private static boolean refusedOnceClosed(int port) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.shutdownOutput();
            } catch (ConnectException refused) {
                return true;
            } catch (IOException resetAsTheListenerClosed) {
                // not refused yet: try again
            }
        }
        return false;
    }
}
