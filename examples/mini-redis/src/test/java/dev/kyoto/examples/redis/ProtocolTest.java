package dev.kyoto.examples.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.examples.redis.resp.Frame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pipelining, malformed input and what connections leave behind. */
@Timeout(60)
class ProtocolTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void aHundredPipelinedCommandsGetAHundredRepliesInOrder() throws Exception {
        try (RespClient c = server.client()) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int i = 0; i < 100; i++) {
                all.writeBytes(i % 2 == 0 ? RespClient.encode("INCR", "pipe:n") : RespClient.encode("ECHO", "e" + i));
            }
            c.sendRaw(all.toByteArray());
            for (int i = 0; i < 100; i++) {
                Frame expected = i % 2 == 0 ? new Frame.Int(i / 2 + 1) : Frame.Bulk.of("e" + i);
                assertEquals(expected, c.read(), "reply " + i);
            }
        }
    }

    @Test
    void garbageGetsAProtocolErrorAndADisconnectWhileOthersKeepWorking() throws Exception {
        try (RespClient good = server.client(); RespClient bad = server.client()) {
            assertEquals(new Frame.Simple("OK"), good.call("SET", "garbage:k", "v"));
            // A command before the garbage is answered first.
            bad.sendRaw("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n!oops\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(new Frame.Simple("PONG"), bad.read());
            assertEquals(new Frame.Error("ERR Protocol error: expected '$', got '!'"), bad.read());
            assertTrue(bad.closedByServer(), "the connection that sent garbage is still open");
            assertEquals(Frame.Bulk.of("v"), good.call("GET", "garbage:k"));
        }
        try (RespClient bad = server.client()) {
            bad.sendRaw("*x\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(new Frame.Error("ERR Protocol error: invalid multibulk length"), bad.read());
            assertTrue(bad.closedByServer());
        }
    }

    @Test
    void aOneGibBulkHeaderIsRejectedAtOnce() throws Exception {
        try (RespClient c = server.client()) {
            c.sendRaw("*2\r\n$3\r\nSET\r\n$1073741824\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(new Frame.Error("ERR Protocol error: invalid bulk length"), c.read());
            assertTrue(c.closedByServer(), "the connection that announced 1 GiB is still open");
        }
        try (RespClient c = server.client()) {
            c.sendRaw("*1048577\r\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals(new Frame.Error("ERR Protocol error: invalid multibulk length"), c.read());
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void aLargeValueRoundTrips() throws Exception {
        String big = "x".repeat(3 * 1024 * 1024);
        try (RespClient c = server.client()) {
            assertEquals(new Frame.Simple("OK"), c.call("SET", "big:k", big));
            assertEquals(Frame.Bulk.of(big), c.call("GET", "big:k"));
        }
    }

    /** The server's descriptors (it runs in this process) come back to where they were once 100 clients left. */
    @Test
    void descriptorsComeBackAfterAHundredConnectionsClose() throws Exception {
        try (RespClient warm = server.client()) {
            warm.call("PING");
        }
        long baseline = settledFdCount(-1);
        List<RespClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                RespClient c = server.client();
                clients.add(c);
                assertEquals(new Frame.Simple("PONG"), c.call("PING"));
            }
            // Half of them leave through QUIT, half by ending their stream; each waits for the
            // server to close its side, so that every connection's task has ended.
            for (int i = 0; i < 100; i++) {
                RespClient c = clients.get(i);
                if (i % 2 == 0) {
                    assertEquals(new Frame.Simple("OK"), c.call("QUIT"));
                } else {
                    c.shutdownOutput();
                }
                assertTrue(c.closedByServer(), "connection " + i + " is still open");
            }
        } finally {
            for (RespClient c : clients) {
                c.close();
            }
        }
        long after = settledFdCount(baseline);
        assertTrue(after <= baseline, "open descriptors after 100 connections closed: " + after + ", before: " + baseline);
    }

    /**
     * The process's open descriptors, once the count is down to {@code expected} (or, for -1,
     * right away). A socket registered with a selector releases its descriptor only when the
     * selector next deregisters it, after the peer saw it close; nothing signals that, so this
     * polls, bounded. For the same reason the baseline may still count the warm-up connection,
     * so the count must come down to it, not exactly to it.
     */
    private static long settledFdCount(long expected) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long n;
        do {
            try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
                n = fds.count();
            }
        } while (expected >= 0 && n > expected && System.nanoTime() < deadline && yielded());
        return n;
    }

    private static boolean yielded() {
        LockSupport.parkNanos(Duration.ofMillis(1).toNanos());
        return true;
    }
}
