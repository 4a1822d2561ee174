package dev.kyoto.io.internal.reactor;

/**
 * Decides whether the reactor's next park polls the selector without blocking for a short while
 * (spins) before it blocks.
 *
 * <p>Off unless {@code -Dkyoto.io.spinMicros} asks for it ({@link #DEFAULT_SPIN_NANOS} says why).
 *
 * <p>Why spin at all: a thread blocked in {@code epoll_wait} on an idle CPU is woken by an
 * interrupt, and on a virtual machine the idle virtual CPU must first be scheduled again by the
 * host. On the benchmark machine that wake costs about 30 µs, more than the whole work of an echo
 * round trip: one connection in ping-pong made 18,000 round trips a second with a blocking park
 * and 45,000 with a 50 µs spin, for the same CPU time per round trip (the spinning core does
 * 2.5 times the work). Go's scheduler and the JDK's {@code ForkJoinPool} spin before they park
 * for the same reason; Tokio and Netty do not.
 *
 * <p>Why only sometimes: spinning pays when events come one at a time, a little apart. When they
 * come in bunches (many busy connections), a blocked thread wakes to a batch and handles it with
 * one selector call, while a spinning one would catch each event alone, making a selector call
 * per event and holding a CPU that the peers of those connections (on a small machine, the
 * clients) need: 64 connections in ping-pong lost 15 % with an unconditional spin. When events
 * are rare, the spin is wasted. So the reactor spins only after a park that ended with a
 * single event that came after at least {@link #MIN_WAIT_NANOS} (events are not arriving in a
 * stream) and within {@link #ENTER_WAIT_NANOS} (they are not rare either). A spin that catches
 * nothing backs off: the next 1, 2, 4, … up to {@value #MAX_SKIP} parks that would qualify block
 * instead, until a spin catches an event again. Under load on a small machine that is the
 * common failure: the spinning thread holds the CPU that the peer needed to send the event, and
 * 64 busy connections saw one single-event park in five qualify and nearly every spin miss.
 *
 * <p>Not thread-safe: used only by the thread that holds the reactor's park.
 */
final class SpinPolicy {
    /** The system property that sets the spin in microseconds; 0 turns spinning off. */
    static final String PROPERTY = "kyoto.io.spinMicros";
    /**
     * The spin when {@link #PROPERTY} is not set: none. A spin buys latency with CPU: at one
     * connection in ping-pong, the 50 µs spin doubled the server's CPU time per round trip (22 µs
     * against 11 µs, and against Tokio's 8 µs) for about the same round trips per second on this
     * machine, so it is for latency-bound servers to ask for ({@value #SUGGESTED_SPIN_MICROS}).
     */
    static final long DEFAULT_SPIN_NANOS = 0;
    /** The spin suggested to latency-bound servers, in microseconds: the one issue 8 measured. */
    static final long SUGGESTED_SPIN_MICROS = 50;
    /** The longest spin {@link #PROPERTY} accepts. */
    static final long MAX_SPIN_NANOS = 1_000_000;
    /** A single event that came sooner than this after the park began came from a stream of them. */
    static final long MIN_WAIT_NANOS = 10_000;
    /** A single event that came later than this after a blocking park began is too rare to spin for. */
    static final long ENTER_WAIT_NANOS = 100_000;

    /** The most qualifying parks that block after a run of missed spins. */
    static final int MAX_SKIP = 1024;

    private final long spinNanos;
    /*
     * Written only by the parking thread. Invariant: spinNext implies skip == 0; after a miss,
     * skip counts down by one per qualifying blocking park, and spinning resumes at zero.
     */
    /** Whether the next park spins. */
    private boolean spinNext;
    /** Qualifying parks that still block before the next spin. */
    private int skip;
    /** Blocking parks a missed spin imposes; doubles with each miss in a row, up to MAX_SKIP. */
    private int backoff = 1;

    /** @param spinNanos how long a spinning park polls; the user's bound is checked by {@link #fromSystemProperties()} */
    SpinPolicy(long spinNanos) {
        if (spinNanos < 0) {
            throw new IllegalArgumentException("a spin cannot be negative, was " + spinNanos + " ns");
        }
        this.spinNanos = spinNanos;
    }

    /**
     * The policy that {@link #PROPERTY} asks for.
     *
     * @throws IllegalArgumentException if the property is not a whole number of microseconds from
     *                                  0 to 1,000; the message names the property and the fix
     */
    static SpinPolicy fromSystemProperties() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return new SpinPolicy(DEFAULT_SPIN_NANOS);
        }
        long micros;
        try {
            micros = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            micros = -1;
        }
        if (micros < 0 || micros > MAX_SPIN_NANOS / 1_000) {
            throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a spin the reactor accepts: "
                    + "give whole microseconds from 0 (never spin) to " + MAX_SPIN_NANOS / 1_000
                    + " (" + SUGGESTED_SPIN_MICROS + " suits a latency-bound server), or leave it unset not to spin");
        }
        return new SpinPolicy(micros * 1_000);
    }

    /** How long a spinning park polls before it blocks, in nanoseconds. */
    long spinNanos() {
        return spinNanos;
    }

    /** Whether a park that may block for {@code timeoutNanos} (negative: no limit) spins first. */
    boolean shouldSpin(long timeoutNanos) {
        return spinNext && (timeoutNanos < 0 || timeoutNanos > spinNanos);
    }

    /** A spin caught {@code events} events {@code waitedNanos} after the park began. */
    void spinCaught(int events, long waitedNanos) {
        backoff = 1;
        spinNext = events == 1 && waitedNanos >= MIN_WAIT_NANOS;
    }

    /** A spin ran its whole time without an event. */
    void spinMissed() {
        spinNext = false;
        skip = backoff;
        backoff = Math.min(MAX_SKIP, backoff * 2);
    }

    /**
     * A blocking park returned {@code events} events {@code waitedNanos} after the park began
     * (0 events: woken by an unpark or a timeout).
     */
    void blocked(int events, long waitedNanos) {
        spinNext = false;
        if (spinNanos == 0 || events != 1 || waitedNanos < MIN_WAIT_NANOS || waitedNanos > ENTER_WAIT_NANOS) {
            return;
        }
        if (skip > 0) {
            skip--;
        } else {
            spinNext = true;
        }
    }
}
