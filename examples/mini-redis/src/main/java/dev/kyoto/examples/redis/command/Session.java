package dev.kyoto.examples.redis.command;

import dev.kyoto.examples.redis.db.Db;
import dev.kyoto.examples.redis.pubsub.PubSub;
import dev.kyoto.examples.redis.pubsub.Subscriptions;
import dev.kyoto.examples.redis.resp.Frame;
import java.util.ArrayDeque;

/**
 * One connection's state between its commands: the replies a command queued beyond its one, a
 * request to close after the reply ({@code QUIT}), and its pub/sub subscriptions. Used only by
 * the connection's task.
 */
public final class Session implements AutoCloseable {
    private final Db db;
    private final PubSub pubSub;
    private final Subscriptions subscriptions;
    private final ArrayDeque<Frame> queued = new ArrayDeque<>(2);
    private boolean closeAfterReply;

    /**
     * @param db the key space
     * @param pubSub the channels
     */
    public Session(Db db, PubSub pubSub) {
        this.db = db;
        this.pubSub = pubSub;
        this.subscriptions = new Subscriptions(pubSub);
    }

    /**
     * Runs one command.
     *
     * @param command the command, as the request decoder makes it
     * @return the reply to send first, or null for none (then see {@link #nextQueued()})
     */
    public Frame execute(Frame.Array command) {
        return Commands.execute(this, command.items());
    }

    /** {@return the next reply a command queued, or null} */
    public Frame nextQueued() {
        return queued.poll();
    }

    /** {@return whether the connection is to be closed once the replies are written} */
    public boolean closeAfterReply() {
        return closeAfterReply;
    }

    /** {@return the connection's subscriptions, through which published messages arrive} */
    public Subscriptions subscriptions() {
        return subscriptions;
    }

    /** Ends every subscription. */
    @Override
    public void close() {
        subscriptions.close();
    }

    Db db() {
        return db;
    }

    PubSub pubSub() {
        return pubSub;
    }

    /** Queues a reply, for a command with several ({@code SUBSCRIBE a b}). */
    void reply(Frame reply) {
        queued.add(reply);
    }

    void closeAfterReply(boolean close) {
        closeAfterReply = close;
    }
}
