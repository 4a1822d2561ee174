package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.resp.Frame;
import java.util.List;

/** The replies commands share, made once, and Redis's error texts. */
final class Replies {
    static final Frame OK = new Frame.Simple("OK");
    static final Frame PONG = new Frame.Simple("PONG");
    static final Frame EMPTY_ARRAY = new Frame.Array(List.of());
    static final Frame SYNTAX_ERROR = new Frame.Error("ERR syntax error");
    static final Frame NOT_AN_INTEGER = new Frame.Error("ERR value is not an integer or out of range");
    static final Frame OVERFLOW = new Frame.Error("ERR increment or decrement would overflow");

    private static final Frame.Int[] SMALL = new Frame.Int[258];

    static {
        for (int i = 0; i < SMALL.length; i++) {
            SMALL[i] = new Frame.Int(i - 2);
        }
    }

    private Replies() {
    }

    /** An integer reply; those from -2 to 255 (counts, TTL's -2 and -1) are made once. */
    static Frame integer(long value) {
        return value >= -2 && value < SMALL.length - 2 ? SMALL[(int) value + 2] : new Frame.Int(value);
    }

    static Frame wrongArity(String command) {
        return new Frame.Error("ERR wrong number of arguments for '" + command + "' command");
    }

    static Frame invalidExpireTime(String command) {
        return new Frame.Error("ERR invalid expire time in '" + command + "' command");
    }

    static Frame unknownSubcommand(List<Frame> args) {
        return new Frame.Error("ERR unknown subcommand '" + truncate(Args.text(args, 1), 128) + "'. Try "
                + Args.text(args, 0).toUpperCase(java.util.Locale.ROOT) + " HELP.");
    }

    /** Redis's reply to a command it does not know, quoting the first arguments up to 128 characters. */
    static Frame unknownCommand(List<Frame> args) {
        StringBuilder quoted = new StringBuilder();
        for (int i = 1; i < args.size() && quoted.length() < 128; i++) {
            quoted.append('\'').append(truncate(Args.text(args, i), 128 - quoted.length())).append("' ");
        }
        return new Frame.Error("ERR unknown command '" + truncate(Args.text(args, 0), 128)
                + "', with args beginning with: " + quoted);
    }

    static Frame notInSubscribedMode(String command) {
        return new Frame.Error("ERR Can't execute '" + command
                + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
