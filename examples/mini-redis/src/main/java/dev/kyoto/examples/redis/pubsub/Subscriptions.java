package dev.kyoto.examples.redis.pubsub;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.sync.Broadcast;
import dev.kyoto.runtime.sync.ChannelClosedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One connection's subscriptions and the messages published to them: a {@link Broadcast}
 * receiver per channel. Used only by the connection's task.
 *
 * <p>{@code subscriptions} maps each channel, in the order subscribed, to its receiver and the
 * receive in progress on it. A receive is kept across the connection's polls until it completes
 * (and is cancelled only when its subscription ends), so a message is never lost to a command that
 * arrived first; Broadcast's receive is cancel-safe anyway. {@code turn} is the subscription
 * whose receive is polled first next time, so a busy channel does not starve the others.
 *
 * <p>A subscriber that falls more than {@link PubSub#CAPACITY} messages behind on a channel
 * (its client does not read) is disconnected when it next receives, as Redis disconnects one that
 * reaches its pub/sub output buffer limit; meanwhile it costs no memory beyond the channel's
 * ring, which overwrites what the subscriber did not take.
 */
public final class Subscriptions implements AutoCloseable {
    private static final Frame SUBSCRIBE = Frame.Bulk.of("subscribe");
    private static final Frame UNSUBSCRIBE = Frame.Bulk.of("unsubscribe");

    /** A channel's receiver and its receive in progress, if any. */
    private static final class Subscription {
        final Broadcast.Receiver<Frame> receiver;
        Async<Frame> receiving;

        Subscription(Broadcast.Receiver<Frame> receiver) {
            this.receiver = receiver;
        }
    }

    private final PubSub pubSub;
    private final LinkedHashMap<Key, Subscription> subscriptions = new LinkedHashMap<>();
    /** The subscriptions in an array, for polling in turn; null after a change. */
    private Subscription[] polled;
    private int turn;

    /**
     * @param pubSub the channels
     */
    public Subscriptions(PubSub pubSub) {
        this.pubSub = pubSub;
    }

    /** {@return how many channels the connection subscribes to; above 0 it is in subscribed mode} */
    public int count() {
        return subscriptions.size();
    }

    /** {@return the channels subscribed to, in the order of subscription} */
    public List<Key> channels() {
        return new ArrayList<>(subscriptions.keySet());
    }

    /**
     * Subscribes to {@code channel} (again is a no-op).
     *
     * @param channel the channel
     * @return the reply: {@code ["subscribe", channel, count]}
     */
    public Frame subscribe(Key channel) {
        if (!subscriptions.containsKey(channel)) {
            subscriptions.put(channel, new Subscription(pubSub.subscribe(channel)));
            polled = null;
        }
        return Frame.Array.of(SUBSCRIBE, new Frame.Bulk(channel.bytes()), new Frame.Int(subscriptions.size()));
    }

    /**
     * Unsubscribes from {@code channel}, if subscribed.
     *
     * @param channel the channel
     * @return the reply: {@code ["unsubscribe", channel, count]}
     */
    public Frame unsubscribe(Key channel) {
        Subscription s = subscriptions.remove(channel);
        if (s != null) {
            end(channel, s);
            polled = null;
        }
        return Frame.Array.of(UNSUBSCRIBE, new Frame.Bulk(channel.bytes()), new Frame.Int(subscriptions.size()));
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
        if (polled == null) {
            polled = subscriptions.values().toArray(Subscription[]::new);
            turn = 0;
        }
        int n = polled.length;
        for (int i = 0; i < n; i++) {
            Subscription s = polled[(turn + i) % n];
            if (s.receiving == null) {
                s.receiving = s.receiver.recv();
            }
            Poll<Frame> p;
            try {
                p = s.receiving.poll(cx);
            } catch (Broadcast.LaggedException e) {
                s.receiving = null;
                throw new IOException("a subscriber fell " + e.missed() + " messages behind (more than "
                        + PubSub.CAPACITY + ") and was disconnected, as Redis does at its pub/sub output buffer limit", e);
            } catch (ChannelClosedException e) {
                // Only this connection closes its receivers, and a channel with receivers stays open.
                throw new IllegalStateException("a subscribed channel closed under its subscriber", e);
            }
            if (p.isReady()) {
                s.receiving = null;
                turn = (turn + i + 1) % n;
                return p;
            }
        }
        return Poll.pending();
    }

    /** Ends every subscription. */
    @Override
    public void close() {
        subscriptions.forEach(this::end);
        subscriptions.clear();
        polled = null;
    }

    private void end(Key channel, Subscription s) {
        if (s.receiving != null) {
            s.receiving.cancel();
            s.receiving = null;
        }
        pubSub.unsubscribe(channel, s.receiver);
    }
}
