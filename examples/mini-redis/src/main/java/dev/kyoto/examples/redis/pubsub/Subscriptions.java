package dev.kyoto.examples.redis.pubsub;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * One connection's subscriptions and the messages published to them. Used only by the
 * connection's task.
 *
 * <p>{@code mailbox} exists while the connection subscribes to at least one channel; it is
 * closed and dropped when the last subscription ends, so a message published before an
 * UNSUBSCRIBE is never delivered after a later SUBSCRIBE. {@code receiving} and {@code overflow}
 * are the waits on it, kept across polls so that a wake-up is never lost.
 */
public final class Subscriptions implements AutoCloseable {
    private static final Frame SUBSCRIBE = Frame.Bulk.of("subscribe");
    private static final Frame UNSUBSCRIBE = Frame.Bulk.of("unsubscribe");

    private final PubSub pubSub;
    private final LinkedHashSet<Key> channels = new LinkedHashSet<>();
    private Mailbox mailbox;
    /** The mailbox's pending receive, polled across the connection's polls until it completes. */
    private Async<Frame> receiving;
    /** The mailbox's overflow, watched while subscribed. */
    private Async<Void> overflow;

    /**
     * @param pubSub the channels
     */
    public Subscriptions(PubSub pubSub) {
        this.pubSub = pubSub;
    }

    /** {@return how many channels the connection subscribes to; above 0 it is in subscribed mode} */
    public int count() {
        return channels.size();
    }

    /** {@return the channels subscribed to, in the order of subscription} */
    public List<Key> channels() {
        return new ArrayList<>(channels);
    }

    /**
     * Subscribes to {@code channel} (again is a no-op).
     *
     * @param channel the channel
     * @return the reply: {@code ["subscribe", channel, count]}
     */
    public Frame subscribe(Key channel) {
        if (mailbox == null) {
            mailbox = new Mailbox();
        }
        if (channels.add(channel)) {
            pubSub.subscribe(channel, mailbox);
        }
        return Frame.Array.of(SUBSCRIBE, new Frame.Bulk(channel.bytes()), new Frame.Int(channels.size()));
    }

    /**
     * Unsubscribes from {@code channel}, if subscribed.
     *
     * @param channel the channel
     * @return the reply: {@code ["unsubscribe", channel, count]}
     */
    public Frame unsubscribe(Key channel) {
        if (channels.remove(channel)) {
            pubSub.unsubscribe(channel, mailbox);
            if (channels.isEmpty()) {
                dropMailbox();
            }
        }
        return Frame.Array.of(UNSUBSCRIBE, new Frame.Bulk(channel.bytes()), new Frame.Int(channels.size()));
    }

    /**
     * Fails if the connection fell so far behind its messages that it must be disconnected; call
     * it first in every poll of a subscribed connection, which may be waiting for its client to
     * read and not for a message.
     *
     * @param cx the poll's context: woken when a publisher finds the connection's mailbox full
     * @throws IOException if it did
     */
    public void checkNotOverflowed(Context cx) throws Exception {
        if (mailbox == null) {
            return;
        }
        if (overflow == null) {
            overflow = mailbox.overflowed();
        }
        if (overflow.poll(cx).isReady()) {
            overflow = null;
            throw overflowed();
        }
    }

    /**
     * Takes the next message published to a subscribed channel.
     *
     * @param cx the poll's context
     * @return the {@code ["message", channel, payload]} push, or pending (also when not
     *         subscribed: then nothing will come)
     * @throws IOException if the connection fell so far behind that it must be disconnected
     */
    public Poll<Frame> pollMessage(Context cx) throws Exception {
        if (mailbox == null) {
            return Poll.pending();
        }
        if (receiving == null) {
            receiving = mailbox.next();
        }
        Poll<Frame> p = receiving.poll(cx);
        if (p.isPending()) {
            return p;
        }
        receiving = null;
        if (p.value() == null) {
            throw overflowed();
        }
        return p;
    }

    private static IOException overflowed() {
        return new IOException("a subscriber fell " + Mailbox.CAPACITY
                + " messages behind and was disconnected, as Redis does at its pub/sub output buffer limit");
    }

    /** Ends every subscription. */
    @Override
    public void close() {
        for (Key channel : channels) {
            pubSub.unsubscribe(channel, mailbox);
        }
        channels.clear();
        if (mailbox != null) {
            dropMailbox();
        }
    }

    private void dropMailbox() {
        if (receiving != null) {
            receiving.cancel();
            receiving = null;
        }
        if (overflow != null) {
            overflow.cancel();
            overflow = null;
        }
        mailbox.close();
        mailbox = null;
    }
}
