package dev.kyoto.bench.net;

import dev.kyoto.net.UnixListener;
import dev.kyoto.net.UnixStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Unix-domain stream round trips: 64-byte messages from {@code connections} {@link UnixStream}s
 * to an echoing {@link UnixListener}'s connections and back, all in one two-worker runtime, on
 * the selector driver ({@code nio}) and on the io_uring driver, in the same run (on io_uring the
 * driver's own sockets; they were JDK channels on its companion selector, 6× slower at one
 * connection, until this benchmark showed it). Kyoto's side is the README's idiom ({@code readExact}/{@code writeAll} loops). The
 * score is per round trip. Run it with {@code ./mvnw -P bench -pl module-bench -am package
 * -DskipTests} and {@code java -jar module-bench/target/benchmarks.jar UnixStreamBench}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class UnixStreamBench {
    static final int ROUND_TRIPS = 20_000;
    private static final int SIZE = 64;

    @State(Scope.Benchmark)
    public static class Echo {
        @Param({"nio", "io_uring"})
        String driver;
        @Param({"1", "16"})
        int connections;

        KyotoRuntime rt;
        Path dir;
        UnixListener listener;
        List<UnixStream> clients = new ArrayList<>();

        @Setup
        public void setup() throws Exception {
            System.setProperty("kyoto.io.driver", driver);
            rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
            if (!rt.metrics().ioDriverName().equals(driver)) {
                throw new IllegalStateException("asked for the " + driver + " driver, the runtime runs on " + rt.metrics().ioDriverName());
            }
            dir = Files.createTempDirectory("kyoto-unix-bench");
            Path path = dir.resolve("echo.sock");
            listener = rt.blockOn(UnixListener.bind(path));
            for (int i = 0; i < connections; i++) {
                UnixStream c = rt.blockOn(UnixStream.connect(path));
                UnixStream s = rt.blockOn(listener.accept());
                rt.spawn(echo(s, ByteBuffer.allocate(SIZE)).recover(IOException.class, closed -> null));
                clients.add(c);
            }
        }

        @TearDown
        public void tearDown() throws IOException {
            for (UnixStream c : clients) {
                c.close();
            }
            listener.close();
            rt.close();
            Files.deleteIfExists(dir.resolve("echo.sock"));
            Files.deleteIfExists(dir);
            System.clearProperty("kyoto.io.driver");
        }
    }

    private static Async<Void> echo(UnixStream s, ByteBuffer buf) {
        return s.readExact(buf.clear()).then(v -> s.writeAll(buf.flip())).then(v -> echo(s, buf));
    }

    private static Async<Void> roundTrips(UnixStream s, ByteBuffer buf, int left) {
        if (left == 0) {
            return Async.ready(null);
        }
        return s.writeAll(buf.clear()).then(v -> s.readExact(buf.clear())).then(v -> roundTrips(s, buf, left - 1));
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void roundTrip(Echo e) throws Exception {
        int each = ROUND_TRIPS / e.connections;
        List<Async<Void>> all = new ArrayList<>();
        for (UnixStream c : e.clients) {
            all.add(e.rt.spawn(roundTrips(c, ByteBuffer.allocate(SIZE), each)));
        }
        e.rt.blockOn(Async.all(all));
    }
}
