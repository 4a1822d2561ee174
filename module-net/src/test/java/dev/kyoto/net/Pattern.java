package dev.kyoto.net;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An endless, position-dependent byte stream, for moving many megabytes without holding them:
 * the writer generates it, the reader checks every byte where it lands.
 */
public final class Pattern {
    private Pattern() {
    }

    public static byte at(long offset) {
        return (byte) ((offset * 2654435761L) >>> 24 ^ offset >>> 20);
    }

    /** Fills {@code buf}'s remaining room with the pattern from {@code offset} on. */
    public static void fill(ByteBuffer buf, long offset) {
        for (long i = offset; buf.hasRemaining(); i++) {
            buf.put(at(i));
        }
    }

    /** Checks that {@code buf}'s remaining bytes are the pattern from {@code offset} on. */
    public static void check(ByteBuffer buf, long offset) throws IOException {
        for (long i = offset; buf.hasRemaining(); i++) {
            byte b = buf.get();
            if (b != at(i)) {
                throw new IOException("byte " + i + " of the stream is " + b + ", expected " + at(i));
            }
        }
    }

    /** Writes the pattern's bytes [from, to) to {@code w}. */
    public static Async<Void> write(AsyncWrite w, long from, long to) {
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024).flip();
        long[] next = {from};
        return cx -> {
            for (;;) {
                if (!chunk.hasRemaining()) {
                    if (next[0] == to) {
                        return Poll.ready(null);
                    }
                    chunk.clear().limit((int) Math.min(chunk.capacity(), to - next[0]));
                    fill(chunk, next[0]);
                    next[0] += chunk.flip().remaining();
                }
                if (w.pollWrite(cx, chunk).isPending()) {
                    return Poll.pending();
                }
            }
        };
    }

    /** Reads {@code r} to its end, checking every byte against the pattern; the count read. */
    public static Async<Long> drain(AsyncRead r) {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long[] count = {0};
        return cx -> {
            for (;;) {
                Poll<Integer> p = r.pollRead(cx, buf.clear());
                if (p.isPending()) {
                    return Poll.pending();
                }
                if (p.value() < 0) {
                    return Poll.ready(count[0]);
                }
                check(buf.flip(), count[0]);
                count[0] += p.value();
            }
        };
    }

    /** The kernel's largest TCP send plus receive buffer: what a connection can hold in flight. */
    static long kernelBufferBound() {
        try {
            return lastField("/proc/sys/net/ipv4/tcp_wmem") + lastField("/proc/sys/net/ipv4/tcp_rmem");
        } catch (IOException | RuntimeException e) {
            return 64L << 20;
        }
    }

    private static long lastField(String file) throws IOException {
        // Not Files.readString: it trusts the size /proc reports and reads a single byte.
        String[] f = Files.readAllLines(Path.of(file)).get(0).trim().split("\\s+");
        return Long.parseLong(f[f.length - 1]);
    }
}
