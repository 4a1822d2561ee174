package dev.kyoto.io;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * {@link BufReader#readUntil}: appends buffered bytes to the sink up to the delimiter, refilling
 * the buffer as often as needed. Bytes go to the sink as they are consumed, which is what makes a
 * cancel lose nothing.
 */
final class ReadUntil implements Async<Integer> {
    private final BufReader in;
    private final byte delim;
    private final ByteArrayOutputStream out;
    private final int maxBytes;
    private int appended;

    ReadUntil(BufReader in, byte delim, ByteArrayOutputStream out, int maxBytes) {
        this.in = in;
        this.delim = delim;
        this.out = out;
        this.maxBytes = maxBytes;
    }

    @Override
    public Poll<Integer> poll(Context cx) throws IOException {
        for (;;) {
            Poll<ByteBuffer> p = in.pollFillBuf(cx);
            if (p.isPending()) {
                return Poll.pending();
            }
            int available = p.value().remaining();
            if (available == 0) {
                return Poll.ready(appended);
            }
            if (appended == maxBytes) {
                throw new IOException("no delimiter 0x" + String.format("%02x", delim & 0xff) + " within the limit of "
                        + maxBytes + " bytes; the " + appended + " bytes read are in the sink and the rest is unread. "
                        + "Pass a larger maxBytes to readUntil(byte, ByteArrayOutputStream, int) if such records are legitimate");
            }
            byte[] a = in.array();
            int start = in.start();
            int limit = start + Math.min(available, maxBytes - appended);
            int i = start;
            while (i < limit && a[i] != delim) {
                i++;
            }
            boolean found = i < limit;
            int take = (found ? i + 1 : limit) - start;
            out.write(a, start, take);
            in.consume(take);
            appended += take;
            if (found) {
                return Poll.ready(appended);
            }
        }
    }
}
