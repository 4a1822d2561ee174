package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.resp.Frame;
import java.util.List;

/** Runs one command whose name and arity were checked. */
@FunctionalInterface
interface Handler {
    /**
     * @param session the connection's state
     * @param args the command: its name, then its arguments, every one a {@link Frame.Bulk}
     * @return the reply, or null if the handler queued its replies with {@link Session#reply}
     */
    Frame run(Session session, List<Frame> args);
}
