package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.db.Db;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.Numbers;
import java.util.List;

/** DEL, EXISTS, EXPIRE, TTL, PTTL, DBSIZE, FLUSHDB. */
final class KeyCommands {
    private static final long NANOS_PER_MILLI = 1_000_000L;

    private KeyCommands() {
    }

    static Frame del(Session s, List<Frame> args) {
        Db db = s.db();
        int deleted = 0;
        for (int i = 1; i < args.size(); i++) {
            if (db.delete(Args.key(args, i))) {
                deleted++;
            }
        }
        return Replies.integer(deleted);
    }

    /** Counts every argument that names a key, a key named twice twice, as Redis does. */
    static Frame exists(Session s, List<Frame> args) {
        Db db = s.db();
        int found = 0;
        for (int i = 1; i < args.size(); i++) {
            if (db.exists(Args.key(args, i))) {
                found++;
            }
        }
        return Replies.integer(found);
    }

    /** {@code EXPIRE key seconds}; Redis 7's NX, XX, GT and LT options are not supported. */
    static Frame expire(Session s, List<Frame> args) {
        if (args.size() > 3) {
            return new Frame.Error("ERR Unsupported option " + Args.text(args, 3));
        }
        long seconds;
        try {
            seconds = Numbers.parseLong(Args.bytes(args, 2));
        } catch (NumberFormatException e) {
            return Replies.NOT_AN_INTEGER;
        }
        if (seconds > Long.MAX_VALUE / 1000 || seconds < Long.MIN_VALUE / 1000) {
            return Replies.invalidExpireTime("expire");
        }
        long ttl = seconds <= 0 ? 0 : StringCommands.toNanos(seconds * 1000);
        return Replies.integer(s.db().expire(Args.key(args, 1), ttl) ? 1 : 0);
    }

    /** Seconds left, rounded to the nearest as Redis does; -1 for no expiry, -2 for no key. */
    static Frame ttl(Session s, List<Frame> args) {
        long nanos = s.db().ttlNanos(Args.key(args, 1));
        return Replies.integer(nanos < 0 ? nanos : (nanos / NANOS_PER_MILLI + 500) / 1000);
    }

    static Frame pttl(Session s, List<Frame> args) {
        long nanos = s.db().ttlNanos(Args.key(args, 1));
        return Replies.integer(nanos < 0 ? nanos : nanos / NANOS_PER_MILLI);
    }

    static Frame dbsize(Session s, List<Frame> args) {
        return Replies.integer(s.db().size());
    }

    /** {@code FLUSHDB [ASYNC|SYNC]}: both clear at once. */
    static Frame flushdb(Session s, List<Frame> args) {
        if (args.size() > 2 || (args.size() == 2 && !Args.is(args, 1, "async") && !Args.is(args, 1, "sync"))) {
            return Replies.SYNTAX_ERROR;
        }
        s.db().clear();
        return Replies.OK;
    }
}
