package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.resp.Frame;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reading a command's arguments: each a {@link Frame.Bulk}, as the request decoder makes them. */
final class Args {
    private Args() {
    }

    static Frame.Bulk bulk(List<Frame> args, int i) {
        return (Frame.Bulk) args.get(i);
    }

    static byte[] bytes(List<Frame> args, int i) {
        return ((Frame.Bulk) args.get(i)).bytes();
    }

    static Key key(List<Frame> args, int i) {
        return Key.of(bytes(args, i));
    }

    /** The argument as text, for error messages: bytes as ISO-8859-1 characters, as Redis prints them. */
    static String text(List<Frame> args, int i) {
        return new String(bytes(args, i), StandardCharsets.ISO_8859_1);
    }

    /** Whether argument {@code i} is {@code lowerCaseWord}, in any case. */
    static boolean is(List<Frame> args, int i, String lowerCaseWord) {
        byte[] b = bytes(args, i);
        if (b.length != lowerCaseWord.length()) {
            return false;
        }
        for (int k = 0; k < b.length; k++) {
            if (lower(b[k]) != lowerCaseWord.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code a} equals {@code lowerCase}, ASCII letters compared in any case. */
    static boolean equalsIgnoreCase(byte[] a, byte[] lowerCase) {
        if (a.length != lowerCase.length) {
            return false;
        }
        for (int k = 0; k < a.length; k++) {
            if (lower(a[k]) != lowerCase[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
    }
}
