package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.Numbers;
import java.util.ArrayList;
import java.util.List;

/**
 * PING, ECHO, QUIT, SELECT, and what clients send when they start: CONFIG GET (redis-benchmark
 * asks for {@code save} and {@code appendonly}), COMMAND and COMMAND DOCS (redis-cli), CLIENT
 * SETNAME and SETINFO.
 */
final class ServerCommands {
    private static final Frame PONG_WORD = Frame.Bulk.of("pong");
    private static final Frame EMPTY_BULK = new Frame.Bulk(new byte[0]);
    /** The configuration CONFIG GET reports: what Redis reports with persistence off. */
    private static final String[][] CONFIG = {{"save", ""}, {"appendonly", "no"}};

    private ServerCommands() {
    }

    /** {@code PING [message]}; in subscribed mode the reply is {@code ["pong", message]}, as in Redis. */
    static Frame ping(Session s, List<Frame> args) {
        if (args.size() > 2) {
            return Replies.wrongArity("ping");
        }
        if (s.subscriptions().count() > 0) {
            return Frame.Array.of(PONG_WORD, args.size() == 2 ? args.get(1) : EMPTY_BULK);
        }
        return args.size() == 2 ? args.get(1) : Replies.PONG;
    }

    static Frame echo(Session s, List<Frame> args) {
        return args.get(1);
    }

    static Frame quit(Session s, List<Frame> args) {
        s.closeAfterReply(true);
        return Replies.OK;
    }

    /** There is one database, 0. */
    static Frame select(Session s, List<Frame> args) {
        byte[] index = Args.bytes(args, 1);
        try {
            return Numbers.parseLong(index) == 0
                    ? Replies.OK
                    : new Frame.Error("ERR DB index is out of range");
        } catch (NumberFormatException e) {
            return Replies.NOT_AN_INTEGER;
        }
    }

    /**
     * {@code CONFIG GET parameter...}: the name and value of each known parameter that a pattern
     * names (the name itself, or {@code *}); nothing for the others.
     */
    static Frame config(Session s, List<Frame> args) {
        if (!Args.is(args, 1, "get")) {
            return Replies.unknownSubcommand(args);
        }
        if (args.size() < 3) {
            return new Frame.Error("ERR wrong number of arguments for 'config|get' command");
        }
        List<Frame> reply = new ArrayList<>();
        for (String[] parameter : CONFIG) {
            for (int i = 2; i < args.size(); i++) {
                if (Args.is(args, i, parameter[0]) || Args.is(args, i, "*")) {
                    reply.add(Frame.Bulk.of(parameter[0]));
                    reply.add(Frame.Bulk.of(parameter[1]));
                    break;
                }
            }
        }
        return new Frame.Array(reply);
    }

    /** {@code COMMAND}, {@code COMMAND DOCS}: no documentation (an empty array); {@code COMMAND COUNT}. */
    static Frame command(Session s, List<Frame> args) {
        if (args.size() == 1 || Args.is(args, 1, "docs") || Args.is(args, 1, "info")) {
            return Replies.EMPTY_ARRAY;
        }
        if (Args.is(args, 1, "count") && args.size() == 2) {
            return Replies.integer(Commands.count());
        }
        return Replies.unknownSubcommand(args);
    }

    /** {@code CLIENT SETNAME} and {@code CLIENT SETINFO} are accepted and ignored. */
    static Frame client(Session s, List<Frame> args) {
        if ((Args.is(args, 1, "setname") && args.size() == 3) || (Args.is(args, 1, "setinfo") && args.size() == 4)) {
            return Replies.OK;
        }
        return Replies.unknownSubcommand(args);
    }
}
