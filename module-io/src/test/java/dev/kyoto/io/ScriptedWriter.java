package dev.kyoto.io;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A writer that records what it is given, takes at most {@code maxPerPoll} bytes a poll, can
 * answer every other poll with a self-waking pending, can stay shut behind a gate, fails after a
 * given number of bytes, and records its writes, flushes and shutdown (refusing writes after it).
 */
final class ScriptedWriter implements AsyncWrite {
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private int maxPerPoll = Integer.MAX_VALUE;
    private boolean stutter;
    private boolean stutterNow;
    private ScriptedReader.Gate gate;
    private long failAfter = -1;
    private IOException failure;
    private boolean shutdownPendingOnce;
    private int shutdowns;
    private int writes;
    private int flushes;
    private long writtenAtShutdown = -1;
    private Runnable onShutdown = () -> { };

    ScriptedWriter maxPerPoll(int n) {
        maxPerPoll = n;
        return this;
    }

    /** Every other poll of a write or shutdown is pending (and wakes at once). */
    ScriptedWriter stutter() {
        stutter = true;
        return this;
    }

    /** Pending, without a wake, until the gate opens. */
    ScriptedWriter gate(ScriptedReader.Gate g) {
        gate = g;
        return this;
    }

    /** Takes {@code bytes} bytes, then throws {@code e} on the next write. */
    ScriptedWriter failAfter(long bytes, IOException e) {
        failAfter = bytes;
        failure = e;
        return this;
    }

    ScriptedWriter shutdownPendingOnce() {
        shutdownPendingOnce = true;
        return this;
    }

    ScriptedWriter onShutdown(Runnable r) {
        onShutdown = r;
        return this;
    }

    synchronized byte[] bytes() {
        return written.toByteArray();
    }

    /** How many writes took bytes. */
    synchronized int writes() {
        return writes;
    }

    synchronized int flushes() {
        return flushes;
    }

    synchronized int shutdowns() {
        return shutdowns;
    }

    /** How many bytes had been written when the first shutdown came; -1 if none came. */
    synchronized long writtenAtShutdown() {
        return writtenAtShutdown;
    }

    @Override
    public synchronized Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        if (shutdowns > 0) {
            throw new IOException("write after shutdown");
        }
        if (gate != null && !gate.passOrPark(cx.waker())) {
            return Poll.pending();
        }
        if (stutter && (stutterNow = !stutterNow)) {
            cx.waker().wake();
            return Poll.pending();
        }
        if (failAfter >= 0 && written.size() >= failAfter) {
            throw failure;
        }
        int n = Math.min(src.remaining(), maxPerPoll);
        if (failAfter >= 0) {
            n = (int) Math.min(n, failAfter - written.size());
        }
        byte[] b = new byte[n];
        src.get(b);
        written.write(b, 0, n);
        if (n > 0) {
            writes++;
        }
        return Poll.ready(n);
    }

    @Override
    public synchronized Poll<Void> pollFlush(Context cx) {
        flushes++;
        return Poll.ready(null);
    }

    @Override
    public synchronized Poll<Void> pollShutdown(Context cx) {
        if (shutdownPendingOnce) {
            shutdownPendingOnce = false;
            cx.waker().wake();
            return Poll.pending();
        }
        if (shutdowns++ == 0) {
            writtenAtShutdown = written.size();
            onShutdown.run();
        }
        return Poll.ready(null);
    }

    @Override
    public String toString() {
        return "ScriptedWriter";
    }
}
