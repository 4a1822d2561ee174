package dev.kyoto.io;

import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A reader that plays a script: chunks of bytes (one read never spans two chunks), a pending
 * that wakes its waker at once (the bytes "arrive" right after), a gate that stays pending until
 * the test opens it, and failures. After the script: end of stream. It records the room of every
 * buffer it was offered, so a test can see whether a read went through a buffer or not.
 */
final class ScriptedReader implements AsyncRead {
    private final ArrayDeque<Object> steps = new ArrayDeque<>();
    private final List<Integer> offered = new ArrayList<>();
    private long served;

    private enum Marker { PENDING }

    /** Opened by the test (or by another fake) to let the reader go past it. */
    static final class Gate {
        private boolean open;
        private Waker parked;

        synchronized void open() {
            open = true;
            if (parked != null) {
                parked.wake();
            }
        }

        synchronized boolean passOrPark(Waker w) {
            if (!open) {
                parked = w;
            }
            return open;
        }
    }

    ScriptedReader data(byte[] chunk) {
        steps.add(ByteBuffer.wrap(chunk.clone()));
        return this;
    }

    ScriptedReader data(String chunk) {
        return data(chunk.getBytes(StandardCharsets.UTF_8));
    }

    /** Splits {@code all} into chunks of {@code size} bytes, each followed by a self-waking pending. */
    ScriptedReader chunked(byte[] all, int size) {
        for (int i = 0; i < all.length; i += size) {
            data(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + size)));
            pending();
        }
        return this;
    }

    ScriptedReader pending() {
        steps.add(Marker.PENDING);
        return this;
    }

    ScriptedReader gate(Gate gate) {
        steps.add(gate);
        return this;
    }

    ScriptedReader fail(IOException e) {
        steps.add(e);
        return this;
    }

    /** Bytes handed out so far. */
    synchronized long served() {
        return served;
    }

    /** The room of each buffer offered to a read that returned bytes. */
    synchronized List<Integer> offered() {
        return List.copyOf(offered);
    }

    @Override
    public synchronized Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        for (;;) {
            Object step = steps.peek();
            if (step == null) {
                return Poll.ready(-1);
            }
            switch (step) {
                case ByteBuffer chunk -> {
                    int room = dst.remaining();
                    int n = Math.min(room, chunk.remaining());
                    dst.put(dst.position(), chunk, chunk.position(), n).position(dst.position() + n);
                    chunk.position(chunk.position() + n);
                    if (!chunk.hasRemaining()) {
                        steps.pop();
                    }
                    offered.add(room);
                    served += n;
                    return Poll.ready(n);
                }
                case Marker m -> {
                    steps.pop();
                    cx.waker().wake();
                    return Poll.pending();
                }
                case Gate g -> {
                    if (!g.passOrPark(cx.waker())) {
                        return Poll.pending();
                    }
                    steps.pop();
                }
                case IOException e -> {
                    steps.pop();
                    throw e;
                }
                default -> throw new AssertionError(step);
            }
        }
    }

    @Override
    public String toString() {
        return "ScriptedReader";
    }
}
