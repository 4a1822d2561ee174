package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.test.KyotoTest.Flavor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

// A separate thread, so that the bound is preemptive; @KyotoTest enters its runtime on that thread.
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MockStreamTest {

    // The code under test: small protocol functions written against AsyncRead and AsyncWrite.

    /** Sends every complete line back, until end of stream. */
    static <S extends AsyncRead & AsyncWrite> Async<Void> echoLines(S stream) {
        return echoLines(stream, ByteBuffer.allocate(64), new StringBuilder());
    }

    private static <S extends AsyncRead & AsyncWrite> Async<Void> echoLines(S stream, ByteBuffer buffer, StringBuilder partial) {
        buffer.clear();
        return stream.read(buffer).then(n -> {
            if (n < 0) {
                return Async.ready(null);
            }
            partial.append(new String(buffer.array(), 0, n, StandardCharsets.UTF_8));
            int end = partial.lastIndexOf("\n") + 1;
            if (end == 0) {
                return echoLines(stream, buffer, partial);
            }
            byte[] lines = partial.substring(0, end).getBytes(StandardCharsets.UTF_8);
            partial.delete(0, end);
            return stream.writeAll(ByteBuffer.wrap(lines)).then(v -> echoLines(stream, buffer, partial));
        });
    }

    /** Sends {@code ping\n} and waits at most {@code limit} for the reply line. */
    static <S extends AsyncRead & AsyncWrite> Async<String> ping(S stream, Duration limit) {
        ByteBuffer reply = ByteBuffer.allocate(5);
        return stream.writeAll(ascii("ping\n"))
                .then(v -> Time.timeout(limit, stream.readExact(reply)))
                .map(v -> new String(reply.array(), StandardCharsets.US_ASCII));
    }

    // Playing a script.

    @KyotoTest(startPaused = true)
    void theClassDocumentationExampleHolds(KyotoRuntime rt) throws Exception {
        IOException reset = new IOException("Connection reset");
        MockStream peer = MockStream.builder()
                .read("HELO client\n")
                .write("HELO server\n")
                .waitFor(Duration.ofSeconds(5))
                .readError(reset)
                .build();
        rt.blockOn(peer.readExact(ByteBuffer.allocate(12)));
        rt.blockOn(peer.writeAll(ascii("HELO server\n")));
        Instant start = Time.now();

        assertSame(reset, assertThrows(IOException.class, () -> rt.blockOn(peer.read(ByteBuffer.allocate(8)))));

        assertEquals(Duration.ofSeconds(5), Duration.between(start, Time.now()).withNanos(0), "the error comes after the wait");
        peer.assertFinished();
    }

    @KyotoTest(startPaused = true)
    void theReadmeExampleHolds(KyotoRuntime rt) {
        MockStream server = MockStream.builder()
                .write("ping\n")
                .waitFor(Duration.ofHours(1))
                .build();
        assertThrows(TimeoutException.class, () -> rt.blockOn(ping(server, Duration.ofSeconds(10))));
    }

    @KyotoTest(flavor = Flavor.BOTH)
    void aLineEchoPlaysTheWholeScript(KyotoRuntime rt) throws Exception {
        try (MockStream peer = MockStream.builder()
                .read("hello\n").write("hello\n")
                .read("wor").read("ld\nand").write("world\n").read(" more\n").write("and more\n")
                .build()) {
            rt.blockOn(echoLines(peer));
        }
    }

    @Test
    void oneWriteMayPlaySeveralWriteStepsAndSeveralWritesOneStep() throws Exception {
        MockStream peer = MockStream.builder().write("one\n").write("two\n").write("three\n").build();
        TaskHarness<Integer> whole = TaskHarness.of(peer.write(ascii("one\ntwo\n")));
        assertEquals(4, whole.assertReady(), "a write is accepted up to the end of its step");
        ByteBuffer rest = ascii("two\nth");
        assertEquals(4, TaskHarness.of(peer.write(rest)).assertReady());
        assertEquals(2, TaskHarness.of(peer.write(rest)).assertReady());
        assertEquals(4, TaskHarness.of(peer.write(ascii("ree\n"))).assertReady());
        peer.assertFinished();
    }

    @Test
    void aReadNeverSpansTwoStepsAndTakesOnlyWhatFits() throws Exception {
        MockStream peer = MockStream.builder().read("abc").read("de").build();
        ByteBuffer two = ByteBuffer.allocate(2);
        assertEquals(2, TaskHarness.of(peer.read(two)).assertReady());
        assertEquals(1, TaskHarness.of(peer.read(ByteBuffer.allocate(8))).assertReady());
        ByteBuffer big = ByteBuffer.allocate(8);
        assertEquals(2, TaskHarness.of(peer.read(big)).assertReady());
        assertEquals("de", new String(big.array(), 0, 2, StandardCharsets.US_ASCII));
        assertEquals(-1, TaskHarness.of(peer.read(big)).assertReady(), "end of script is end of stream");
        assertEquals(-1, TaskHarness.of(peer.read(big)).assertReady());
        peer.assertFinished();
    }

    @KyotoTest
    void scriptedErrorsReachTheCodeUnderTestUnchanged(KyotoRuntime rt) {
        IOException readFailure = new IOException("Connection reset by peer");
        MockStream reading = MockStream.builder().read("partial").readError(readFailure).build();
        assertSame(readFailure, assertThrows(IOException.class, () -> rt.blockOn(echoLines(reading))));
        reading.assertFinished();

        IOException writeFailure = new IOException("Broken pipe");
        MockStream writing = MockStream.builder().read("line\n").writeError(writeFailure).build();
        assertSame(writeFailure, assertThrows(IOException.class, () -> rt.blockOn(echoLines(writing))));
        writing.assertFinished();
    }

    // Deviations.

    @KyotoTest
    void aWriteThatDiffersFailsNamingTheStepAndTheBytes(KyotoRuntime rt) {
        MockStream peer = MockStream.builder().read("hello\n").write("HELLO\n").build();

        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> rt.blockOn(echoLines(peer)));

        assertTrue(e.getMessage().startsWith("MockStream: the code under test's write differs from "
                + "step 2 of 2 (write \"HELLO\\n\") at byte offset 0 of the step"), e.getMessage());
        assertEquals("\"HELLO\\n\"", e.getExpected().getValue());
        assertEquals("\"hello\\n\"", e.getActual().getValue());
    }

    @Test
    void aDifferenceLaterInAStepShowsTheWholeStep() throws Exception {
        MockStream peer = MockStream.builder().write("hello\n").build();
        assertEquals(3, TaskHarness.of(peer.write(ascii("hel"))).assertReady());

        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> TaskHarness.of(peer.write(ascii("lO\n"))).poll());

        assertTrue(e.getMessage().contains("at byte offset 4 of the step"), e.getMessage());
        assertEquals("\"hello\\n\"", e.getExpected().getValue());
        assertEquals("\"hellO\\n\"", e.getActual().getValue());
    }

    @KyotoTest
    void aReadWhenTheScriptExpectsAWriteFails(KyotoRuntime rt) {
        MockStream peer = MockStream.builder().read("ping\n").write("pong\n").build();

        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> rt.blockOn(peer.readExact(ByteBuffer.allocate(10))));

        assertEquals("MockStream: the code under test read, but the script expects step 2 of 2 (write \"pong\\n\")", e.getMessage());
    }

    @Test
    void aWriteWhenTheScriptExpectsAReadFails() {
        MockStream peer = MockStream.builder().read("greeting\n").build();

        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> TaskHarness.of(peer.write(ascii("hi\r\n"))).poll());

        assertEquals("MockStream: the code under test wrote \"hi\\r\\n\", but the script expects step 1 of 1 (read \"greeting\\n\")",
                e.getMessage());
    }

    @Test
    void aWriteAfterTheScriptEndedFails() {
        MockStream peer = MockStream.builder().write("bye\n").build();

        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> TaskHarness.of(peer.writeAll(ascii("bye\nagain"))).poll());

        assertEquals("MockStream: the code under test wrote \"again\" after the end of the script (1 step, all played)", e.getMessage());
    }

    @Test
    void unplayedStepsFailAssertFinishedAndClose() throws Exception {
        MockStream peer = MockStream.builder().read("abcde").write("x").waitFor(Duration.ofMillis(10)).build();
        assertEquals(2, TaskHarness.of(peer.read(ByteBuffer.allocate(2))).assertReady());

        AssertionFailedError e = assertThrows(AssertionFailedError.class, peer::assertFinished);
        assertEquals("MockStream: the script was not played to the end; left: step 1 of 3 (read \"abcde\") (2 bytes played); "
                + "step 2 of 3 (write \"x\"); step 3 of 3 (wait PT0.01S)", e.getMessage());

        assertThrows(AssertionFailedError.class, peer::close);
        assertThrows(IOException.class, () -> TaskHarness.of(peer.read(ByteBuffer.allocate(2))).poll(), "a closed stream fails as a socket does");
    }

    @Test
    void aSwallowedDeviationStillFailsTheTest() throws Exception {
        MockStream peer = MockStream.builder().write("expected").read("reply").build();
        try {
            TaskHarness.of(peer.write(ascii("unexpected"))).poll();
        } catch (AssertionFailedError ignored) {
            // The code under test catches everything, as careless code does.
        }

        AssertionFailedError later = assertThrows(AssertionFailedError.class, () -> TaskHarness.of(peer.read(ByteBuffer.allocate(8))).poll());
        assertTrue(later.getMessage().startsWith("MockStream: used again after the code under test deviated"), later.getMessage());

        AssertionFailedError e = assertThrows(AssertionFailedError.class, peer::assertFinished);
        assertTrue(e.getMessage().contains("deviated from the script"), e.getMessage());
        assertInstanceOf(AssertionFailedError.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("differs from step 1 of 2"), e.getCause().getMessage());
    }

    // Waits and the paused clock.

    @KyotoTest(startPaused = true)
    void aWaitShorterThanTheCodesTimeoutIsWaitedOut(KyotoRuntime rt) throws Exception {
        MockStream peer = MockStream.builder().write("ping\n").waitFor(Duration.ofSeconds(5)).read("pong\n").build();
        Instant start = Time.now();

        assertEquals("pong\n", rt.blockOn(ping(peer, Duration.ofSeconds(10))));

        assertEquals(Duration.ofSeconds(5), Duration.between(start, Time.now()).withNanos(0));
        peer.assertFinished();
    }

    @KyotoTest(startPaused = true)
    void aWaitLongerThanTheCodesTimeoutTimesItOut(KyotoRuntime rt) {
        MockStream peer = MockStream.builder().write("ping\n").waitFor(Duration.ofHours(1)).read("pong\n").build();
        Instant start = Time.now();

        assertThrows(TimeoutException.class, () -> rt.blockOn(ping(peer, Duration.ofSeconds(10))));

        assertEquals(Duration.ofSeconds(10), Duration.between(start, Time.now()).withNanos(0));
        assertEquals("MockStream[at step 2 of 3 (wait PT1H)]", peer.toString());
    }

    // Reading and writing at once.

    @Test
    void aDuplexReadWaitsForTheWriteInFrontOfIt() throws Exception {
        MockStream peer = MockStream.builder().duplex().write("request\n").read("response\n").build();
        ByteBuffer response = ByteBuffer.allocate(9);
        TaskHarness<Void> reader = TaskHarness.of(peer.readExact(response));
        reader.assertPending();
        assertFalse(reader.isWoken());

        TaskHarness<Void> writer = TaskHarness.of(peer.writeAll(ascii("request\n")));
        writer.assertReady();

        assertEquals(1, reader.wakeCount(), "playing the write step wakes the waiting reader");
        reader.assertReady();
        assertEquals("response\n", new String(response.array(), StandardCharsets.US_ASCII));
        peer.assertFinished();
    }

    @KyotoTest(flavor = Flavor.BOTH)
    void aDuplexScriptServesAReaderAndAWriterTaskAtOnce(KyotoRuntime rt) throws Exception {
        MockStream peer = MockStream.builder().duplex()
                .read("first\n").write("a\n").read("second\n").write("b\n").read("third\n")
                .build();
        ByteBuffer received = ByteBuffer.allocate(19);
        // The reader starts first and must wait for each write; the writer must wait for each read.
        JoinHandle<Void> reader = rt.spawn(peer.readExact(received));
        JoinHandle<Void> writer = rt.spawn(peer.writeAll(ascii("a\n")).then(v -> peer.writeAll(ascii("b\n"))));

        rt.blockOn(writer);
        rt.blockOn(reader);

        assertEquals("first\nsecond\nthird\n", new String(received.array(), StandardCharsets.US_ASCII));
        peer.assertFinished();
    }

    @Test
    void theBuilderRefusesStepsThatCannotBePlayed() {
        MockStream.Builder builder = MockStream.builder();
        assertThrows(IllegalArgumentException.class, () -> builder.read(""));
        assertThrows(IllegalArgumentException.class, () -> builder.write(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> builder.waitFor(Duration.ofMillis(-1)));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }
}
