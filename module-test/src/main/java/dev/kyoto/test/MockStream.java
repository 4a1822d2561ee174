package dev.kyoto.test;

import static org.junit.jupiter.api.AssertionFailureBuilder.assertionFailure;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.time.Sleep;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.opentest4j.AssertionFailedError;

/**
 * A scripted stand-in for a socket: the Java counterpart of {@code tokio_test::io::Builder}. The
 * test writes down what the peer does (send these bytes, expect those, go quiet for a while,
 * fail), hands the stream to the code under test through {@link AsyncRead} and
 * {@link AsyncWrite}, and the stream plays the script back, failing the test with the step and
 * the bytes when the code deviates from it.
 *
 * <pre>{@code
 * MockStream peer = MockStream.builder()
 *         .read("HELO client\n")          // the code under test will read this
 *         .write("HELO server\n")         // and must then write exactly this
 *         .waitFor(Duration.ofSeconds(5)) // then the peer is silent for 5 s
 *         .readError(new IOException("Connection reset"))
 *         .build();
 * rt.blockOn(handshake(peer));
 * peer.assertFinished();
 * }</pre>
 *
 * <h2>How the script is played</h2>
 * Steps are played strictly in order, by both directions together.
 * <ul>
 *   <li>A <b>read</b> step serves its bytes to reads, as many as fit in each read's buffer; one
 *       read never spans two steps, so a script can cut a message where a real network might.</li>
 *   <li>A <b>write</b> step compares what the code writes against its bytes. A write that
 *       matches is accepted (only up to the end of the step: the rest must match the next
 *       step); a write that differs fails with an {@link AssertionFailedError} that names the
 *       step and shows the expected and actual bytes.</li>
 *   <li>A <b>wait</b> step keeps reads and writes pending until that much time has passed on the
 *       runtime's clock ({@link Time#sleep}), measured from when the step was first reached. On
 *       a runtime whose clock is paused the wait passes as soon as the runtime is idle, so the
 *       code's own timeouts can be tested in no time. Wait steps need a runtime with timers.</li>
 *   <li>A <b>read error</b> or <b>write error</b> step makes the next read (or write) throw
 *       exactly that exception.</li>
 *   <li>After the last step reads return -1 (end of stream) and any write is a deviation.</li>
 * </ul>
 * A read when the next step is a write or write error, or a write when it is a read or read
 * error, is a deviation too, reported at once, because sequential code that does it would
 * otherwise wait forever. Code that reads and writes at the same time, from two tasks, needs the
 * other behaviour: build such a script with {@link Builder#duplex()}, and the operation whose
 * turn it is not stays pending until the other direction has played the steps in front of it.
 *
 * <p>The first deviation is remembered: the stream fails every later operation, and
 * {@link #assertFinished()} and {@link #close()} fail with it as the cause, so code under test
 * that swallows errors cannot hide it. Call {@code assertFinished()} (or use the stream in a
 * try-with-resources block) to check that the code under test played the whole script.
 *
 * <p>Reads and writes may come from any threads; the stream serialises them. Without wait steps
 * it needs no runtime at all, so it can be driven by a {@link TaskHarness}.
 */
public final class MockStream implements AsyncRead, AsyncWrite, AutoCloseable {
    /** Rendered bytes longer than this are cut, so a large payload cannot flood a failure message. */
    private static final int SHOWN_BYTES = 256;

    private final List<Step> script;
    private final boolean duplex;
    private final Object lock = new Object();
    // Set by a direction that must wait for the other one or for a timer; taken by whoever wakes it.
    private final AtomicReference<Waker> readWaker = new AtomicReference<>();
    private final AtomicReference<Waker> writeWaker = new AtomicReference<>();
    /** The context a wait step's timer is polled with: its expiry concerns both directions. */
    private final Context timerCx = new Context(() -> {
        wake(readWaker);
        wake(writeWaker);
    });

    // Guarded by lock.
    private int next;
    private int offset;
    private Sleep waiting;
    private AssertionFailedError deviation;
    private boolean closed;

    private MockStream(List<Step> script, boolean duplex) {
        this.script = script;
        this.duplex = duplex;
    }

    /** {@return a builder for an empty script} An empty script is a peer that closes at once. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Serves the next read step's bytes, throws its read error, waits, or returns -1 at the end
     * of the script; see the class description.
     *
     * @throws IOException a read error step's exception, or because the stream was closed
     * @throws AssertionFailedError if the script expects a write here (and is not duplex), or the
     *     code under test deviated from it before
     */
    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        synchronized (lock) {
            checkUsable();
            if (!dst.hasRemaining()) {
                return Poll.ready(0);
            }
            for (;;) {
                if (next == script.size()) {
                    return Poll.ready(-1);
                }
                switch (script.get(next)) {
                    case Step.Read(byte[] data) -> {
                        int n = Math.min(dst.remaining(), data.length - offset);
                        dst.put(data, offset, n);
                        played(n, data.length, writeWaker);
                        return Poll.ready(n);
                    }
                    case Step.ReadError(IOException error) -> {
                        advance(writeWaker);
                        throw error;
                    }
                    case Step.Wait(Duration duration) -> {
                        if (waitPending(duration, readWaker, cx)) {
                            return Poll.pending();
                        }
                        advance(writeWaker);
                    }
                    case Step.Write _, Step.WriteError _ -> {
                        return otherTurn(readWaker, cx, () -> "the code under test read");
                    }
                }
            }
        }
    }

    /**
     * Checks the bytes against the next write step and accepts those that match, throws its
     * write error, or waits; see the class description.
     *
     * @throws IOException a write error step's exception, or because the stream was closed
     * @throws AssertionFailedError if the bytes differ from the script, the script expects a
     *     read here (and is not duplex) or has ended, or the code under test deviated before
     */
    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        synchronized (lock) {
            checkUsable();
            if (!src.hasRemaining()) {
                return Poll.ready(0);
            }
            for (;;) {
                if (next == script.size()) {
                    throw deviate(assertionFailure()
                            .message("MockStream: the code under test wrote " + quote(src, src.remaining())
                                    + " after the end of the script (" + script.size() + (script.size() == 1 ? " step" : " steps")
                                    + ", all played)")
                            .build());
                }
                switch (script.get(next)) {
                    case Step.Write(byte[] data) -> {
                        int n = Math.min(src.remaining(), data.length - offset);
                        checkWritten(data, src, n);
                        src.position(src.position() + n);
                        played(n, data.length, readWaker);
                        return Poll.ready(n);
                    }
                    case Step.WriteError(IOException error) -> {
                        advance(readWaker);
                        throw error;
                    }
                    case Step.Wait(Duration duration) -> {
                        if (waitPending(duration, writeWaker, cx)) {
                            return Poll.pending();
                        }
                        advance(readWaker);
                    }
                    case Step.Read _, Step.ReadError _ -> {
                        return otherTurn(writeWaker, cx, () -> "the code under test wrote " + quote(src, src.remaining()));
                    }
                }
            }
        }
    }

    /**
     * Asserts that the code under test played the whole script and never deviated from it.
     *
     * @throws AssertionFailedError naming the steps left, or with the first deviation as its cause
     */
    public void assertFinished() {
        synchronized (lock) {
            if (deviation != null) {
                // A new error, not the recorded one: rethrowing one instance from two places would
                // make try-with-resources try to suppress an exception into itself.
                throw assertionFailure().message("MockStream: the code under test deviated from the script: "
                        + deviation.getMessage()).cause(deviation).build();
            }
            if (next < script.size()) {
                String left = IntStream.range(next, script.size())
                        .mapToObj(i -> describe(i) + (i == next && offset > 0 ? " (" + offset + " bytes played)" : ""))
                        .collect(Collectors.joining("; "));
                throw assertionFailure().message("MockStream: the script was not played to the end; left: " + left).build();
            }
        }
    }

    /**
     * Closes the stream, as a socket closes: later reads and writes throw {@link IOException}. Then
     * {@linkplain #assertFinished() asserts that the script was played to the end}, so that a
     * try-with-resources block checks it as Tokio's mock does when dropped.
     *
     * @throws AssertionFailedError as for {@link #assertFinished()}
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
        assertFinished();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "MockStream[" + (next == script.size() ? "script played" : "at " + describe(next)) + "]";
        }
    }

    private void checkUsable() throws IOException {
        if (closed) {
            throw new IOException("the MockStream is closed");
        }
        if (deviation != null) {
            throw assertionFailure().message("MockStream: used again after the code under test deviated from the script: "
                    + deviation.getMessage()).cause(deviation).build();
        }
    }

    /** Accounts {@code n} more bytes of the current step, and moves on once all {@code stepLength} are played. */
    private void played(int n, int stepLength, AtomicReference<Waker> other) {
        offset += n;
        if (offset == stepLength) {
            advance(other);
        }
    }

    /** Moves on to the next step, and wakes the other direction, which may have been waiting for it. */
    private void advance(AtomicReference<Waker> other) {
        next++;
        offset = 0;
        waiting = null;
        wake(other);
    }

    /**
     * Whether the current wait step is still running; starts its timer when it is first reached.
     * While it runs, {@code cx}'s waker is kept in {@code mine} for the timer to wake.
     */
    private boolean waitPending(Duration duration, AtomicReference<Waker> mine, Context cx) throws IOException {
        if (waiting == null) {
            waiting = Time.sleep(duration);
        }
        // Kept before the poll: the timer may fire on another thread as soon as it is registered.
        mine.set(cx.waker());
        try {
            boolean pending = waiting.poll(timerCx).isPending();
            if (!pending) {
                mine.set(null);
            }
            return pending;
        } catch (IOException | RuntimeException e) {
            // The runtime's shutdown error, or the missing-timers error naming the fix: the code
            // under test should see them as they are.
            throw e;
        } catch (Exception e) {
            // Sleep declares Exception as every Async does; nothing else is expected, and nothing is lost.
            throw new IOException("the timer of MockStream " + describe(next) + " failed", e);
        }
    }

    /** A read or write that finds the other direction's step in front of it. */
    private Poll<Integer> otherTurn(AtomicReference<Waker> mine, Context cx, Supplier<String> what) {
        if (duplex) {
            mine.set(cx.waker());
            return Poll.pending();
        }
        throw deviate(assertionFailure().message("MockStream: " + what.get() + ", but the script expects " + describe(next)).build());
    }

    private void checkWritten(byte[] expected, ByteBuffer src, int n) {
        for (int i = 0; i < n; i++) {
            if (src.get(src.position() + i) != expected[offset + i]) {
                byte[] actual = new byte[offset + n];
                System.arraycopy(expected, 0, actual, 0, offset);
                src.get(src.position(), actual, offset, n);
                throw deviate(assertionFailure()
                        .message("MockStream: the code under test's write differs from " + describe(next)
                                + " at byte offset " + (offset + i) + " of the step")
                        .expected(quote(expected))
                        .actual(quote(actual))
                        .build());
            }
        }
    }

    private AssertionFailedError deviate(AssertionFailedError failure) {
        deviation = failure;
        // A direction waiting for its turn must learn that the script is off.
        wake(readWaker);
        wake(writeWaker);
        return failure;
    }

    private String describe(int step) {
        return "step " + (step + 1) + " of " + script.size() + " (" + script.get(step).describe() + ")";
    }

    private static void wake(AtomicReference<Waker> slot) {
        Waker w = slot.getAndSet(null);
        if (w != null) {
            w.wake();
        }
    }

    private static String quote(ByteBuffer src, int n) {
        byte[] bytes = new byte[n];
        src.get(src.position(), bytes);
        return quote(bytes);
    }

    /** The bytes as a Java string literal: printable ASCII as is, the rest escaped. */
    private static String quote(byte[] bytes) {
        StringBuilder s = new StringBuilder("\"");
        int shown = Math.min(bytes.length, SHOWN_BYTES);
        for (int i = 0; i < shown; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                default -> {
                    if (b >= 0x20 && b < 0x7f) {
                        s.append((char) b);
                    } else {
                        s.append(String.format("\\x%02x", b));
                    }
                }
            }
        }
        s.append('"');
        if (bytes.length > shown) {
            s.append("… (").append(bytes.length).append(" bytes)");
        }
        return s.toString();
    }

    /** One step of a script. */
    private sealed interface Step {
        String describe();

        record Read(byte[] data) implements Step {
            @Override
            public String describe() {
                return "read " + quote(data);
            }
        }

        record Write(byte[] data) implements Step {
            @Override
            public String describe() {
                return "write " + quote(data);
            }
        }

        record Wait(Duration duration) implements Step {
            @Override
            public String describe() {
                return "wait " + duration;
            }
        }

        record ReadError(IOException error) implements Step {
            @Override
            public String describe() {
                return "read error " + error;
            }
        }

        record WriteError(IOException error) implements Step {
            @Override
            public String describe() {
                return "write error " + error;
            }
        }
    }

    /**
     * Writes a {@link MockStream}'s script, step by step, in the order the code under test must
     * play it. Text is encoded as UTF-8. The builder may be reused; each {@link #build()} takes a
     * snapshot of the script so far.
     */
    public static final class Builder {
        private final List<Step> steps = new ArrayList<>();
        private boolean duplex;

        private Builder() {
        }

        /**
         * The peer sends {@code bytes}: the code under test must read them next.
         *
         * @param bytes the bytes, copied; at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is empty: a read of nothing is not a
         *     read (end of stream is the end of the script)
         */
        public Builder read(byte[] bytes) {
            steps.add(new Step.Read(nonEmpty(bytes, "read")));
            return this;
        }

        /**
         * The peer sends {@code text} in UTF-8; see {@link #read(byte[])}.
         *
         * @param text the text; not empty
         * @return this builder
         */
        public Builder read(String text) {
            return read(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * The code under test must write exactly {@code bytes} next, in one write or several.
         *
         * @param bytes the bytes, copied; at least one
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is empty
         */
        public Builder write(byte[] bytes) {
            steps.add(new Step.Write(nonEmpty(bytes, "write")));
            return this;
        }

        /**
         * The code under test must write {@code text} in UTF-8 next; see {@link #write(byte[])}.
         *
         * @param text the text; not empty
         * @return this builder
         */
        public Builder write(String text) {
            return write(text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * The peer is silent for {@code duration} of the runtime's clock: reads and writes stay
         * pending until it has passed.
         *
         * @param duration how long, on the runtime's clock, from when the step is first reached
         * @return this builder
         * @throws IllegalArgumentException if {@code duration} is negative
         */
        public Builder waitFor(Duration duration) {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative()) {
                throw new IllegalArgumentException("a MockStream cannot wait a negative time: waitFor(" + duration + ")");
            }
            steps.add(new Step.Wait(duration));
            return this;
        }

        /**
         * The code under test's next read throws {@code error}, this very instance.
         *
         * @param error the failure to deliver; never null
         * @return this builder
         */
        public Builder readError(IOException error) {
            steps.add(new Step.ReadError(Objects.requireNonNull(error, "error")));
            return this;
        }

        /**
         * The code under test's next write throws {@code error}, this very instance.
         *
         * @param error the failure to deliver; never null
         * @return this builder
         */
        public Builder writeError(IOException error) {
            steps.add(new Step.WriteError(Objects.requireNonNull(error, "error")));
            return this;
        }

        /**
         * Lets reads and writes be in progress at once, for code that reads in one task while it
         * writes in another: an operation that finds the other direction's step next waits for it
         * to be played instead of failing. Code that deviates then waits forever rather than
         * failing at once, so bound such tests with a timeout.
         *
         * @return this builder
         */
        public Builder duplex() {
            duplex = true;
            return this;
        }

        /** {@return a stream that plays the script written so far} */
        public MockStream build() {
            return new MockStream(List.copyOf(steps), duplex);
        }

        private static byte[] nonEmpty(byte[] bytes, String step) {
            if (bytes.length == 0) {
                throw new IllegalArgumentException("a MockStream " + step + " step needs at least one byte");
            }
            return bytes.clone();
        }
    }
}
