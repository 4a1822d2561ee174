package dev.kyoto.examples.redis.resp;

import java.nio.charset.StandardCharsets;

/** Integers in strings, read and written as Redis does. */
public final class Numbers {
    private Numbers() {
    }

    /**
     * The decimal integer {@code bytes} spell, read strictly as Redis's {@code string2ll} does:
     * an optional '-', then digits without leading zeros, nothing else, within a {@code long}.
     *
     * @param bytes the text
     * @return the number
     * @throws NumberFormatException if the text is not such an integer
     */
    public static long parseLong(byte[] bytes) {
        int len = bytes.length;
        if (len < 1 || len > 20) {
            throw notANumber(bytes);
        }
        boolean negative = bytes[0] == '-';
        int i = negative ? 1 : 0;
        if (i == len) {
            throw notANumber(bytes);
        }
        if (bytes[i] == '0') {
            if (len == 1) {
                return 0;
            }
            throw notANumber(bytes);
        }
        long v = 0;
        for (; i < len; i++) {
            int d = bytes[i] - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                throw notANumber(bytes);
            }
            // Accumulates negatively, so that Long.MIN_VALUE's digits fit.
            v = v * 10 - d;
        }
        if (negative) {
            return v;
        }
        if (v == Long.MIN_VALUE) {
            throw notANumber(bytes);
        }
        return -v;
    }

    /**
     * {@code value} in decimal ASCII.
     *
     * @param value the number
     * @return its digits
     */
    public static byte[] toBytes(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private static NumberFormatException notANumber(byte[] bytes) {
        return new NumberFormatException("not an integer: " + new String(bytes, StandardCharsets.ISO_8859_1));
    }
}
