package dev.kyoto.bench.net;

import dev.kyoto.net.UdpSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * UDP round trips over 127.0.0.1: 64-byte datagrams from {@code clients} connected sockets to one
 * echoing socket and back, with Kyoto's {@link UdpSocket} on the selector driver ({@code nio})
 * and on the io_uring driver, against the JDK's blocking {@link DatagramChannel} on platform
 * threads ({@code jdk}), in the same run. Kyoto's side is the README's idiom: a {@code then} loop
 * per client task, and two echo tasks sharing the server socket; the JDK's, a thread per client
 * and two echo threads. The score is per round trip. Run it with
 * {@code ./mvnw -P bench -pl module-bench -am package -DskipTests} and
 * {@code java -jar module-bench/target/benchmarks.jar UdpBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UdpBench {
    static final int ROUND_TRIPS = 20_000;
    private static final int SIZE = 64;
    private static final int ECHOERS = 2;

    @State(Scope.Benchmark)
    public static class Echo {
        @Param({"nio", "io_uring", "jdk"})
        String server;
        @Param({"1", "16"})
        int clients;

        KyotoRuntime rt;
        UdpSocket echo;
        List<UdpSocket> sockets = new ArrayList<>();
        DatagramChannel jdkEcho;
        List<DatagramChannel> jdkClients = new ArrayList<>();
        List<Thread> echoThreads = new ArrayList<>();

        @Setup
        public void setup() throws Exception {
            InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (server.equals("jdk")) {
                jdkEcho = DatagramChannel.open(StandardProtocolFamily.INET).bind(any);
                for (int i = 0; i < ECHOERS; i++) {
                    echoThreads.add(Thread.ofPlatform().daemon().start(() -> jdkEchoLoop(jdkEcho)));
                }
                for (int i = 0; i < clients; i++) {
                    jdkClients.add(DatagramChannel.open(StandardProtocolFamily.INET).bind(any).connect(jdkEcho.getLocalAddress()));
                }
                return;
            }
            System.setProperty("kyoto.io.driver", server);
            rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
            if (!rt.metrics().ioDriverName().equals(server)) {
                throw new IllegalStateException("asked for the " + server + " driver, the runtime runs on " + rt.metrics().ioDriverName()
                        + " (io_uring needs --enable-native-access and a kernel that allows it)");
            }
            echo = rt.blockOn(UdpSocket.bind(any));
            for (int i = 0; i < ECHOERS; i++) {
                rt.spawn(echoLoop(echo, ByteBuffer.allocate(SIZE)).recover(IOException.class, closed -> null));
            }
            for (int i = 0; i < clients; i++) {
                UdpSocket c = rt.blockOn(UdpSocket.bind(any));
                rt.blockOn(c.connect(echo.localAddress()));
                sockets.add(c);
            }
        }

        @TearDown
        public void tearDown() throws IOException {
            if (rt != null) {
                for (UdpSocket s : sockets) {
                    s.close();
                }
                echo.close();
                rt.close();
                System.clearProperty("kyoto.io.driver");
                return;
            }
            jdkEcho.close();
            for (DatagramChannel c : jdkClients) {
                c.close();
            }
        }
    }

    /** Echoes until the trial closes the socket, which fails the receive. */
    private static Async<Void> echoLoop(UdpSocket socket, ByteBuffer buf) {
        return socket.recvFrom(buf.clear()).then(from -> socket.sendTo(buf.flip(), from)).then(n -> echoLoop(socket, buf));
    }

    private static void jdkEchoLoop(DatagramChannel ch) {
        ByteBuffer buf = ByteBuffer.allocate(SIZE);
        try {
            for (;;) {
                SocketAddress from = ch.receive(buf.clear());
                ch.send(buf.flip(), from);
            }
        } catch (IOException closed) {
            // The trial is over.
        }
    }

    private static Async<Void> roundTrips(UdpSocket socket, ByteBuffer buf, int left) {
        if (left == 0) {
            return Async.ready(null);
        }
        return socket.send(buf.clear()).then(n -> socket.recv(buf.clear())).then(n -> roundTrips(socket, buf, left - 1));
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void roundTrip(Echo e) throws Exception {
        int each = ROUND_TRIPS / e.clients;
        if (e.rt != null) {
            List<Async<Void>> all = new ArrayList<>();
            for (UdpSocket s : e.sockets) {
                all.add(e.rt.spawn(roundTrips(s, ByteBuffer.allocate(SIZE), each)));
            }
            e.rt.blockOn(Async.all(all));
            return;
        }
        List<Thread> threads = new ArrayList<>();
        for (DatagramChannel c : e.jdkClients) {
            threads.add(Thread.ofPlatform().start(() -> {
                ByteBuffer buf = ByteBuffer.allocate(SIZE);
                try {
                    for (int i = 0; i < each; i++) {
                        c.write(buf.clear());
                        c.read(buf.clear());
                    }
                } catch (IOException x) {
                    throw new java.io.UncheckedIOException(x);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }
}
