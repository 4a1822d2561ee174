package dev.kyoto.examples.redis.resp;

import dev.kyoto.codec.Codec;
import dev.kyoto.codec.WriteBuffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * RESP2 both ways, for {@link dev.kyoto.codec.Framed}. One codec per connection: it keeps state.
 *
 * <h2>Two readers</h2>
 * {@link #requests()} reads what a client sends, as Redis does: a command is either a multibulk,
 * {@code *<n>\r\n} then n bulk strings {@code $<len>\r\n<bytes>\r\n}, decoded to a
 * {@link Frame.Array} of {@link Frame.Bulk}; or an inline command, a line that does not start with
 * {@code *} ({@code PING\r\n}, as telnet sends), split on spaces and tabs (Redis's quoting of
 * inline arguments is not supported). An empty line, {@code *0} and {@code *-1} decode to an
 * empty array, which the server ignores as Redis does. {@link #replies()} reads what a server
 * sends: every frame type, arrays nested.
 *
 * <h2>Limits, checked on the header</h2>
 * As Redis's defaults: a bulk string of more than {@value #MAX_BULK_LENGTH} bytes
 * ({@code proto-max-bulk-len}), a multibulk of more than {@value #MAX_MULTIBULK_LENGTH} elements,
 * a negative length or one that is not a number fail with a {@link ProtocolException} as soon as
 * the header is read, before any of the announced bytes are; so do a header or an inline command
 * with no line end within {@value #MAX_INLINE_LENGTH} bytes. The message is Redis's.
 *
 * <h2>All or nothing, resumed</h2>
 * A frame is consumed only once it is whole (the {@link dev.kyoto.codec.Decoder} contract). A
 * command that arrives over many reads (a long multibulk) is not rescanned from its start each
 * time: the arguments already complete are kept, with the offset after them, relative to the
 * frame's start, which stays valid because the reader offers the same unconsumed bytes again.
 *
 * <p>State, touched only by the connection's task: {@code partial}, {@code partialCount},
 * {@code partialExpected} and {@code resumeAt} describe a multibulk request not yet whole, or are
 * cleared ({@code partial == null}).
 */
public final class RespCodec implements Codec<Frame> {
    /** The longest bulk string, Redis's {@code proto-max-bulk-len}: 512 MiB. */
    public static final long MAX_BULK_LENGTH = 512L * 1024 * 1024;
    /** The most elements in a multibulk request, as Redis accepts. */
    public static final int MAX_MULTIBULK_LENGTH = 1024 * 1024;
    /** The longest line without its end: an inline command or a length header (Redis's PROTO_INLINE_MAX_SIZE). */
    public static final int MAX_INLINE_LENGTH = 64 * 1024;

    /** What an empty line, {@code *0} or {@code *-1} decodes to on the request side. */
    public static final Frame.Array EMPTY_COMMAND = new Frame.Array(List.of());

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_BULK = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long NOT_A_NUMBER = Long.MIN_VALUE;
    private static final int MAX_NESTING = 64;
    private static final int FIRST_ARGS = 16;

    private final boolean requests;

    private Frame[] partial;
    private int partialCount;
    private int partialExpected;
    private int resumeAt;
    /** Where the frame just decoded ends, as an index into the backing array. */
    private int next;

    private RespCodec(boolean requests) {
        this.requests = requests;
    }

    /** {@return a codec for the server's side: reads commands, writes replies} */
    public static RespCodec requests() {
        return new RespCodec(true);
    }

    /** {@return a codec for a client's side: reads replies of every type, writes commands} */
    public static RespCodec replies() {
        return new RespCodec(false);
    }

    @Override
    public Frame decode(ByteBuffer src) throws ProtocolException {
        if (!src.hasRemaining()) {
            return null;
        }
        // Parsing reads the backing array with absolute indices: a buffer without one (not what
        // FramedRead offers) is copied first.
        byte[] a;
        int base;
        if (src.hasArray()) {
            a = src.array();
            base = src.arrayOffset();
        } else {
            a = new byte[src.limit()];
            src.get(0, a);
            base = 0;
        }
        int start = base + src.position();
        int limit = base + src.limit();
        Frame f = requests ? decodeRequest(a, start, limit) : parseReply(a, start, limit, 0);
        if (f != null) {
            src.position(next - base);
        }
        return f;
    }

    private Frame decodeRequest(byte[] a, int start, int limit) throws ProtocolException {
        if (partial != null) {
            return resumeMultibulk(a, start, limit);
        }
        if (a[start] != '*') {
            return decodeInline(a, start, limit);
        }
        int cr = findCr(a, start + 1, limit);
        if (cr < 0) {
            if (limit - start > MAX_INLINE_LENGTH) {
                throw new ProtocolException("too big mbulk count string");
            }
            return null;
        }
        long n = parseNumber(a, start + 1, cr);
        if (n == NOT_A_NUMBER || n > MAX_MULTIBULK_LENGTH) {
            throw new ProtocolException("invalid multibulk length");
        }
        if (n <= 0) {
            next = cr + 2;
            return EMPTY_COMMAND;
        }
        // Sized by what arrived, not by what the header announces: a header costs no memory.
        partial = new Frame[(int) Math.min(n, FIRST_ARGS)];
        partialCount = 0;
        partialExpected = (int) n;
        resumeAt = cr + 2 - start;
        return resumeMultibulk(a, start, limit);
    }

    private Frame resumeMultibulk(byte[] a, int start, int limit) throws ProtocolException {
        int at = start + resumeAt;
        while (partialCount < partialExpected) {
            if (at >= limit) {
                return suspend(at - start);
            }
            byte b = a[at];
            if (b != '$') {
                throw reset(new ProtocolException("expected '$', got '" + (char) (b & 0xff) + "'"));
            }
            int cr = findCr(a, at + 1, limit);
            if (cr < 0) {
                if (limit - at > MAX_INLINE_LENGTH) {
                    throw reset(new ProtocolException("too big bulk count string"));
                }
                return suspend(at - start);
            }
            long len = parseNumber(a, at + 1, cr);
            if (len < 0 || len > MAX_BULK_LENGTH) {
                throw reset(new ProtocolException("invalid bulk length"));
            }
            // As Redis, the two bytes after the data are taken for CRLF without being looked at.
            long end = cr + 2 + len + 2;
            if (end > limit) {
                return suspend(at - start);
            }
            byte[] bytes = Arrays.copyOfRange(a, cr + 2, cr + 2 + (int) len);
            if (partialCount == partial.length) {
                partial = Arrays.copyOf(partial, (int) Math.min(partialExpected, 2L * partial.length));
            }
            partial[partialCount++] = new Frame.Bulk(bytes);
            at = (int) end;
        }
        Frame[] args = partial.length == partialCount ? partial : Arrays.copyOf(partial, partialCount);
        partial = null;
        next = at;
        return new Frame.Array(Arrays.asList(args));
    }

    private Frame suspend(int offset) {
        resumeAt = offset;
        return null;
    }

    private ProtocolException reset(ProtocolException e) {
        partial = null;
        return e;
    }

    private Frame decodeInline(byte[] a, int start, int limit) throws ProtocolException {
        int nl = -1;
        for (int i = start; i < limit; i++) {
            if (a[i] == '\n') {
                nl = i;
                break;
            }
        }
        if (nl < 0) {
            if (limit - start > MAX_INLINE_LENGTH) {
                throw new ProtocolException("too big inline request");
            }
            return null;
        }
        int end = nl > start && a[nl - 1] == '\r' ? nl - 1 : nl;
        List<Frame> args = new ArrayList<>(4);
        int i = start;
        while (i < end) {
            byte b = a[i];
            if (b == ' ' || b == '\t') {
                i++;
                continue;
            }
            int from = i;
            while (i < end && a[i] != ' ' && a[i] != '\t') {
                i++;
            }
            args.add(new Frame.Bulk(Arrays.copyOfRange(a, from, i)));
        }
        next = nl + 1;
        return args.isEmpty() ? EMPTY_COMMAND : new Frame.Array(args);
    }

    /** A reply from {@code at}, with {@link #next} set past it; null if it is not whole yet. */
    private Frame parseReply(byte[] a, int at, int limit, int depth) throws ProtocolException {
        if (at >= limit) {
            return null;
        }
        byte type = a[at];
        int cr = findCr(a, at + 1, limit);
        if (cr < 0) {
            if (limit - at > MAX_INLINE_LENGTH) {
                throw new ProtocolException("too big reply line");
            }
            return null;
        }
        next = cr + 2;
        switch (type) {
            case '+':
                return new Frame.Simple(text(a, at + 1, cr));
            case '-':
                return new Frame.Error(text(a, at + 1, cr));
            case ':': {
                long v = parseNumber(a, at + 1, cr);
                if (v == NOT_A_NUMBER && !"-9223372036854775808".equals(text(a, at + 1, cr))) {
                    throw new ProtocolException("invalid integer '" + text(a, at + 1, cr) + "'");
                }
                return new Frame.Int(v);
            }
            case '$': {
                long len = parseNumber(a, at + 1, cr);
                if (len == -1) {
                    return Frame.NULL_BULK;
                }
                if (len < 0 || len > MAX_BULK_LENGTH) {
                    throw new ProtocolException("invalid bulk length");
                }
                long end = cr + 2 + len + 2;
                if (end > limit) {
                    return null;
                }
                byte[] bytes = Arrays.copyOfRange(a, cr + 2, cr + 2 + (int) len);
                next = (int) end;
                return new Frame.Bulk(bytes);
            }
            case '*': {
                long n = parseNumber(a, at + 1, cr);
                if (n == -1) {
                    return Frame.NULL_ARRAY;
                }
                if (n < 0 || n > MAX_MULTIBULK_LENGTH) {
                    throw new ProtocolException("invalid multibulk length");
                }
                if (depth == MAX_NESTING) {
                    throw new ProtocolException("arrays nested more than " + MAX_NESTING + " deep");
                }
                List<Frame> items = new ArrayList<>((int) Math.min(n, FIRST_ARGS));
                int p = cr + 2;
                for (long i = 0; i < n; i++) {
                    Frame item = parseReply(a, p, limit, depth + 1);
                    if (item == null) {
                        return null;
                    }
                    items.add(item);
                    p = next;
                }
                next = p;
                return new Frame.Array(items);
            }
            default:
                throw new ProtocolException("unexpected reply type '" + (char) (type & 0xff) + "'");
        }
    }

    /** The index of the first CR from {@code from} that has a byte after it, or -1 if there is none yet. */
    private static int findCr(byte[] a, int from, int limit) {
        for (int i = from; i < limit - 1; i++) {
            if (a[i] == '\r') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The decimal number in {@code [from, to)}, strictly as Redis's {@code string2ll} reads it (no
     * sign but '-', no leading zeros, no spaces), or {@link #NOT_A_NUMBER}.
     */
    static long parseNumber(byte[] a, int from, int to) {
        int len = to - from;
        if (len < 1 || len > 20) {
            return NOT_A_NUMBER;
        }
        boolean negative = a[from] == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            return NOT_A_NUMBER;
        }
        byte first = a[i];
        if (first == '0') {
            return len == 1 ? 0 : NOT_A_NUMBER;
        }
        long v = 0;
        for (; i < to; i++) {
            int d = a[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_A_NUMBER;
            }
            // Accumulates negatively, so that Long.MIN_VALUE's digits fit.
            if (v < (Long.MIN_VALUE + d) / 10) {
                return NOT_A_NUMBER;
            }
            v = v * 10 - d;
        }
        if (negative) {
            return v;
        }
        return v == Long.MIN_VALUE ? NOT_A_NUMBER : -v;
    }

    private static String text(byte[] a, int from, int to) {
        return new String(a, from, to - from, StandardCharsets.UTF_8);
    }

    @Override
    public void encode(Frame frame, WriteBuffer dst) {
        switch (frame) {
            case Frame.Simple s -> putLine(dst.put((byte) '+'), s.text());
            case Frame.Error e -> putLine(dst.put((byte) '-'), e.message());
            case Frame.Int i -> dst.put((byte) ':').putDecimal(i.value()).put(CRLF);
            case Frame.Bulk b -> dst.put((byte) '$').putDecimal(b.bytes().length).put(CRLF).put(b.bytes()).put(CRLF);
            case Frame.NullBulk n -> dst.put(NULL_BULK);
            case Frame.Array a -> {
                List<Frame> items = a.items();
                dst.put((byte) '*').putDecimal(items.size()).put(CRLF);
                for (int i = 0, n = items.size(); i < n; i++) {
                    encode(items.get(i), dst);
                }
            }
            case Frame.NullArray n -> dst.put(NULL_ARRAY);
        }
    }

    /**
     * Appends {@code text} and CRLF, with CR and LF in the text made spaces, as Redis makes an
     * error reply one line. The usual text (ASCII, one line) is copied without a byte array.
     */
    private static void putLine(WriteBuffer dst, String text) {
        boolean plain = true;
        for (int i = 0, n = text.length(); i < n && plain; i++) {
            char c = text.charAt(i);
            plain = c != '\r' && c != '\n' && c < 0x80;
        }
        if (plain) {
            dst.putAscii(text);
        } else {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < b.length; i++) {
                if (b[i] == '\r' || b[i] == '\n') {
                    b[i] = ' ';
                }
            }
            dst.put(b);
        }
        dst.put(CRLF);
    }

    @Override
    public String toString() {
        return requests ? "RespCodec[requests]" : "RespCodec[replies]";
    }
}
