package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.db.Db;
import dev.kyoto.examples.redis.db.SetCondition;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.Numbers;
import java.util.List;

/** GET, SET, MGET, MSET, INCR, DECR. */
final class StringCommands {
    private static final long NANOS_PER_MILLI = 1_000_000L;
    private static final long MILLIS_PER_SECOND = 1_000L;

    private StringCommands() {
    }

    static Frame get(Session s, List<Frame> args) {
        Frame.Bulk value = s.db().get(Args.key(args, 1));
        return value == null ? Frame.NULL_BULK : value;
    }

    /** {@code SET key value [NX|XX] [EX seconds|PX milliseconds]}, options in any order. */
    static Frame set(Session s, List<Frame> args) {
        SetCondition condition = SetCondition.ALWAYS;
        long ttlMillis = 0;
        // 0: no expiry option yet; else 'e' or 'p'. As in Redis an option may repeat, but NX
        // excludes XX and EX excludes PX.
        char unit = 0;
        for (int i = 3; i < args.size(); i++) {
            boolean last = i == args.size() - 1;
            if (Args.is(args, i, "nx") && condition != SetCondition.IF_PRESENT) {
                condition = SetCondition.IF_ABSENT;
            } else if (Args.is(args, i, "xx") && condition != SetCondition.IF_ABSENT) {
                condition = SetCondition.IF_PRESENT;
            } else if (Args.is(args, i, "ex") && unit != 'p' && !last || Args.is(args, i, "px") && unit != 'e' && !last) {
                boolean seconds = Args.is(args, i, "ex");
                unit = seconds ? 'e' : 'p';
                long n;
                try {
                    n = Numbers.parseLong(Args.bytes(args, ++i));
                } catch (NumberFormatException e) {
                    return Replies.NOT_AN_INTEGER;
                }
                if (n <= 0 || (seconds && n > Long.MAX_VALUE / MILLIS_PER_SECOND)) {
                    return Replies.invalidExpireTime("set");
                }
                ttlMillis = seconds ? n * MILLIS_PER_SECOND : n;
            } else {
                return Replies.SYNTAX_ERROR;
            }
        }
        boolean stored = s.db().set(Args.key(args, 1), Args.bulk(args, 2), unit != 0 ? toNanos(ttlMillis) : 0, condition);
        return stored ? Replies.OK : Frame.NULL_BULK;
    }

    static Frame mget(Session s, List<Frame> args) {
        Db db = s.db();
        Frame[] values = new Frame[args.size() - 1];
        for (int i = 1; i < args.size(); i++) {
            Frame.Bulk v = db.get(Args.key(args, i));
            values[i - 1] = v == null ? Frame.NULL_BULK : v;
        }
        return new Frame.Array(List.of(values));
    }

    static Frame mset(Session s, List<Frame> args) {
        if (args.size() % 2 == 0) {
            return Replies.wrongArity("mset");
        }
        Db db = s.db();
        for (int i = 1; i < args.size(); i += 2) {
            db.set(Args.key(args, i), Args.bulk(args, i + 1), 0, SetCondition.ALWAYS);
        }
        return Replies.OK;
    }

    static Frame incr(Session s, List<Frame> args) {
        return add(s, args, 1);
    }

    static Frame decr(Session s, List<Frame> args) {
        return add(s, args, -1);
    }

    private static Frame add(Session s, List<Frame> args, long delta) {
        try {
            return Replies.integer(s.db().add(Args.key(args, 1), delta));
        } catch (NumberFormatException e) {
            return Replies.NOT_AN_INTEGER;
        } catch (ArithmeticException e) {
            return Replies.OVERFLOW;
        }
    }

    /** Milliseconds as nanoseconds, held at Long.MAX_VALUE (centuries) rather than overflowing. */
    static long toNanos(long millis) {
        return millis > Long.MAX_VALUE / NANOS_PER_MILLI ? Long.MAX_VALUE : millis * NANOS_PER_MILLI;
    }
}
