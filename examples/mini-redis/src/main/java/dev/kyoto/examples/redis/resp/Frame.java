package dev.kyoto.examples.redis.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One RESP2 value: what a client sends (an array of bulk strings, a command) and what the server
 * replies. Frames are immutable once made, so one frame can be sent to many connections (a
 * published message) or kept (a stored value is the bulk frame that {@code SET} received).
 */
public sealed interface Frame {
    /** {@code $-1}, the null bulk string: a missing key's value. */
    NullBulk NULL_BULK = new NullBulk();
    /** {@code *-1}, the null array, which clients may receive from other servers. */
    NullArray NULL_ARRAY = new NullArray();

    /**
     * {@code +text}: a status reply.
     *
     * @param text the status, without CR or LF
     */
    record Simple(String text) implements Frame {
        public Simple {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * {@code -message}: an error reply, such as {@code ERR syntax error}. The encoder replaces
     * CR and LF (which a client's command name may hold) by spaces, as Redis does.
     *
     * @param message the error's kind and text
     */
    record Error(String message) implements Frame {
        public Error {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * {@code :value}: an integer reply.
     *
     * @param value the number
     */
    record Int(long value) implements Frame {
    }

    /**
     * {@code $len bytes}: a binary-safe string. The array is not copied: whoever makes a bulk
     * frame hands its bytes over and must not change them.
     *
     * @param bytes the string's bytes
     */
    record Bulk(byte[] bytes) implements Frame {
        public Bulk {
            Objects.requireNonNull(bytes, "bytes");
        }

        /**
         * A bulk string of {@code text}'s UTF-8 bytes.
         *
         * @param text the text
         * @return the frame
         */
        public static Bulk of(String text) {
            return new Bulk(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bulk b && Arrays.equals(bytes, b.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Bulk[" + new String(bytes, StandardCharsets.ISO_8859_1) + "]";
        }
    }

    /** {@code $-1}: the null bulk string; use {@link Frame#NULL_BULK}. */
    record NullBulk() implements Frame {
    }

    /**
     * {@code *n items}: an array; a command is an array of bulk strings.
     *
     * @param items the elements, none null
     */
    record Array(List<Frame> items) implements Frame {
        public Array {
            Objects.requireNonNull(items, "items");
        }

        /**
         * An array of {@code items}.
         *
         * @param items the elements
         * @return the frame
         */
        public static Array of(Frame... items) {
            return new Array(List.of(items));
        }
    }

    /** {@code *-1}: the null array; use {@link Frame#NULL_ARRAY}. */
    record NullArray() implements Frame {
    }
}
