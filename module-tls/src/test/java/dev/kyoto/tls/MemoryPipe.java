package dev.kyoto.tls;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * Two in-memory streams joined back to back: what one writes the other reads. Each end counts
 * the writes that took bytes, so a test can see how many system calls a socket would have made.
 */
final class MemoryPipe {
    final End a;
    final End b;

    MemoryPipe() {
        Direction ab = new Direction();
        Direction ba = new Direction();
        a = new End(ba, ab);
        b = new End(ab, ba);
    }

    /** One direction: bytes written and not yet read, and the reader waiting for them. */
    private static final class Direction {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private int read;
        private Waker reader;
    }

    static final class End implements AsyncRead, AsyncWrite {
        private final Direction in;
        private final Direction out;
        private int writes;

        private End(Direction in, Direction out) {
            this.in = in;
            this.out = out;
        }

        synchronized int writes() {
            return writes;
        }

        @Override
        public Poll<Integer> pollRead(Context cx, ByteBuffer dst) {
            synchronized (in) {
                byte[] all = in.bytes.toByteArray();
                int n = Math.min(all.length - in.read, dst.remaining());
                if (n == 0) {
                    in.reader = cx.waker();
                    return Poll.pending();
                }
                dst.put(all, in.read, n);
                in.read += n;
                return Poll.ready(n);
            }
        }

        @Override
        public Poll<Integer> pollWrite(Context cx, ByteBuffer src) {
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            Waker wake;
            synchronized (out) {
                out.bytes.writeBytes(b);
                wake = out.reader;
                out.reader = null;
            }
            synchronized (this) {
                writes++;
            }
            if (wake != null) {
                wake.wake();
            }
            return Poll.ready(n);
        }

        @Override
        public String toString() {
            return "MemoryPipe.End";
        }
    }
}
