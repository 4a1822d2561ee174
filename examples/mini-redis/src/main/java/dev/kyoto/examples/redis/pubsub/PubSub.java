package dev.kyoto.examples.redis.pubsub;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.sync.Broadcast;
import dev.kyoto.runtime.sync.ChannelClosedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pub/sub channels: one {@link Broadcast} per channel that has subscribers, as in Tokio's
 * mini-redis. A publish encodes nothing and copies nothing per subscriber: it sends one immutable
 * {@code ["message", channel, payload]} frame into the channel's ring, and each subscriber's task
 * takes it from there.
 *
 * <h2>Concurrency</h2>
 * {@code channels} maps a channel to its broadcast's sender, written by the subscribing
 * connections' tasks and read by publishers on any worker thread. A channel's broadcast is
 * created (by the first subscriber) and closed and removed (by the last one to leave) inside
 * {@code compute} on its key, and every subscribe happens inside it too, so a subscriber never
 * joins a broadcast that is being dropped. A publisher that read a sender just before it was
 * dropped gets {@link ChannelClosedException} and reaches nobody, as if it had published after.
 */
public final class PubSub {
    /**
     * How many messages a channel holds for its slowest subscriber. One that falls further behind
     * is disconnected when it next receives (see {@link Subscriptions}).
     */
    public static final int CAPACITY = 1024;

    private static final Frame MESSAGE = Frame.Bulk.of("message");

    private final ConcurrentHashMap<Key, Broadcast.Sender<Frame>> channels = new ConcurrentHashMap<>();

    /** No channels yet. */
    public PubSub() {
    }

    /**
     * Sends {@code payload} to every subscriber of {@code channel} as a
     * {@code ["message", channel, payload]} push.
     *
     * @param channel the channel
     * @param payload the message
     * @return how many subscribers will receive it
     */
    public int publish(Key channel, Frame.Bulk payload) {
        Broadcast.Sender<Frame> sender = channels.get(channel);
        if (sender == null) {
            return 0;
        }
        try {
            return sender.send(Frame.Array.of(MESSAGE, new Frame.Bulk(channel.bytes()), payload));
        } catch (ChannelClosedException e) {
            return 0;
        }
    }

    /**
     * {@return how many connections subscribe to {@code channel}}
     *
     * @param channel the channel
     */
    public int subscriberCount(Key channel) {
        Broadcast.Sender<Frame> sender = channels.get(channel);
        return sender == null ? 0 : sender.receiverCount();
    }

    /** {@return the channels that have subscribers} */
    public List<Key> channels() {
        return new ArrayList<>(channels.keySet());
    }

    /** A receiver of {@code channel}'s messages from now on, creating the channel's broadcast if it has none. */
    Broadcast.Receiver<Frame> subscribe(Key channel) {
        @SuppressWarnings("unchecked")
        Broadcast.Receiver<Frame>[] receiver = new Broadcast.Receiver[1];
        channels.compute(channel, (k, sender) -> {
            Broadcast.Sender<Frame> s = sender;
            if (s == null) {
                Broadcast.Channel<Frame> created = Broadcast.channel(CAPACITY);
                // Subscribers come through subscribe(); the channel's first receiver is not one.
                created.receiver().close();
                s = created.sender();
            }
            receiver[0] = s.subscribe();
            return s;
        });
        return receiver[0];
    }

    /** Closes {@code receiver}, and drops {@code channel}'s broadcast if it was its last subscriber. */
    void unsubscribe(Key channel, Broadcast.Receiver<Frame> receiver) {
        receiver.close();
        channels.computeIfPresent(channel, (k, sender) -> {
            if (sender.receiverCount() > 0) {
                return sender;
            }
            sender.close();
            return null;
        });
    }
}
