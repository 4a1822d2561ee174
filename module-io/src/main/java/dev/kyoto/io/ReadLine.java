package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;

/**
 * {@link BufReader#readLine}: waits until the reader's buffer holds a whole line, then decodes and
 * consumes it. Nothing is consumed before that, so a cancelled or failed read leaves the line
 * where the next read finds it; the price is that the buffer must grow to hold a long line, which
 * the limit bounds.
 */
final class ReadLine implements Async<String> {
    private final BufReader in;
    private final int maxBytes;
    /** How the caller set the limit, for the error message. */
    private final String call;
    /** Buffered bytes already searched for a newline: a refill searches only the new ones. */
    private int scanned;

    ReadLine(BufReader in, int maxBytes, String call) {
        this.in = in;
        this.maxBytes = maxBytes;
        this.call = call;
    }

    @Override
    public Poll<String> poll(Context cx) throws IOException {
        for (;;) {
            byte[] a = in.array();
            int start = in.start();
            int end = in.end();
            int i = start + scanned;
            while (i < end && a[i] != '\n') {
                i++;
            }
            if (i < end) {
                int length = (i > start && a[i - 1] == '\r' ? i - 1 : i) - start;
                if (length > maxBytes) {
                    throw tooLong("the line has " + length + " bytes");
                }
                String line = decode(a, start, length);
                in.consume(i + 1 - start);
                return Poll.ready(line);
            }
            scanned = end - start;
            // A "\r" just past the limit may still end the line, if a "\n" follows.
            if (scanned > maxBytes + 1L || (scanned == maxBytes + 1L && a[end - 1] != '\r')) {
                throw tooLong(scanned + " bytes arrived without a newline");
            }
            Poll<Integer> r = in.pollMore(cx, maxBytes + 2);
            if (r.isPending()) {
                return Poll.pending();
            }
            if (r.value() < 0) {
                if (scanned == 0) {
                    return Poll.ready(null);
                }
                // The last line of the stream: no terminator to strip, a final "\r" is data.
                if (scanned > maxBytes) {
                    throw tooLong("the last line has " + scanned + " bytes");
                }
                String line = decode(in.array(), in.start(), scanned);
                in.consume(scanned);
                return Poll.ready(line);
            }
        }
    }

    private String decode(byte[] a, int start, int length) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(a, start, length);
        CharsetDecoder utf8 = in.utf8().reset();
        try {
            return utf8.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("stream did not contain valid UTF-8: the " + length + "-byte line has an invalid byte at offset "
                    + (bytes.position() - start) + "; the line is left unread, so its raw bytes can be read with "
                    + "readUntil((byte) '\\n', sink)", e);
        }
    }

    private IOException tooLong(String what) {
        return new IOException("line longer than the limit of " + maxBytes + " bytes of " + call + ": " + what
                + ". The line is left unread; call readLine(int) with a larger maxBytes to accept it, or give up on the peer");
    }
}
