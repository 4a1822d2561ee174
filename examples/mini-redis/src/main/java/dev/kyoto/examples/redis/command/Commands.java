package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.resp.Frame;
import java.util.ArrayList;
import java.util.List;

/**
 * The command table and the dispatch: finds a command by name in any case without making a
 * string, checks its arity and whether a subscribed connection may run it, in Redis's order and
 * with Redis's errors, then runs it.
 */
final class Commands {
    private static final Command[] TABLE = {
            new Command("get", 2, false, StringCommands::get),
            new Command("set", -3, false, StringCommands::set),
            new Command("mget", -2, false, StringCommands::mget),
            new Command("mset", -3, false, StringCommands::mset),
            new Command("incr", 2, false, StringCommands::incr),
            new Command("decr", 2, false, StringCommands::decr),
            new Command("del", -2, false, KeyCommands::del),
            new Command("exists", -2, false, KeyCommands::exists),
            new Command("expire", -3, false, KeyCommands::expire),
            new Command("ttl", 2, false, KeyCommands::ttl),
            new Command("pttl", 2, false, KeyCommands::pttl),
            new Command("dbsize", 1, false, KeyCommands::dbsize),
            new Command("flushdb", -1, false, KeyCommands::flushdb),
            new Command("ping", -1, true, ServerCommands::ping),
            new Command("echo", 2, false, ServerCommands::echo),
            new Command("quit", -1, true, ServerCommands::quit),
            new Command("select", 2, false, ServerCommands::select),
            new Command("config", -2, false, ServerCommands::config),
            new Command("command", -1, false, ServerCommands::command),
            new Command("client", -2, false, ServerCommands::client),
            new Command("publish", 3, false, PubSubCommands::publish),
            new Command("subscribe", -2, true, PubSubCommands::subscribe),
            new Command("unsubscribe", -1, true, PubSubCommands::unsubscribe),
            new Command("pubsub", -2, false, PubSubCommands::pubsub),
    };

    /** TABLE by name length: a lookup compares the name with a few candidates of its length. */
    private static final Command[][] BY_LENGTH;

    static {
        int longest = 0;
        for (Command c : TABLE) {
            longest = Math.max(longest, c.name().length());
        }
        List<List<Command>> byLength = new ArrayList<>();
        for (int i = 0; i <= longest; i++) {
            byLength.add(new ArrayList<>());
        }
        for (Command c : TABLE) {
            byLength.get(c.name().length()).add(c);
        }
        BY_LENGTH = new Command[longest + 1][];
        for (int i = 0; i <= longest; i++) {
            BY_LENGTH[i] = byLength.get(i).toArray(Command[]::new);
        }
    }

    private Commands() {
    }

    /** {@return how many commands there are, for COMMAND COUNT} */
    static int count() {
        return TABLE.length;
    }

    static Frame execute(Session session, List<Frame> args) {
        Command command = lookup(Args.bytes(args, 0));
        if (command == null) {
            return Replies.unknownCommand(args);
        }
        if (!command.accepts(args.size())) {
            return Replies.wrongArity(command.name());
        }
        if (session.subscriptions().count() > 0 && !command.inSubscribedMode()) {
            return Replies.notInSubscribedMode(command.name());
        }
        return command.handler().run(session, args);
    }

    private static Command lookup(byte[] name) {
        if (name.length >= BY_LENGTH.length) {
            return null;
        }
        for (Command c : BY_LENGTH[name.length]) {
            if (c.named(name)) {
                return c;
            }
        }
        return null;
    }
}
