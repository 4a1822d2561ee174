package dev.kyoto.examples.redis.pubsub;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.resp.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pub/sub channels: which connections subscribe to which channel.
 *
 * <h2>Concurrency</h2>
 * {@code channels} maps a channel to the mailboxes of its subscribers, a concurrent set, written
 * by the subscribing connections' tasks and read by publishers on any worker thread. A channel's
 * set is created and removed (when its last subscriber leaves) inside {@code compute} on its key,
 * so a subscriber never joins a set that was just dropped. A publish that read the set before a
 * subscriber joined does not reach it, as if it had been published first.
 */
public final class PubSub {
    private static final Frame MESSAGE = Frame.Bulk.of("message");

    private final ConcurrentHashMap<Key, Set<Mailbox>> channels = new ConcurrentHashMap<>();

    /** No channels yet. */
    public PubSub() {
    }

    /**
     * Sends {@code payload} to every subscriber of {@code channel} as a
     * {@code ["message", channel, payload]} push.
     *
     * @param channel the channel
     * @param payload the message
     * @return how many subscribers it was sent to
     */
    public int publish(Key channel, Frame.Bulk payload) {
        Set<Mailbox> subscribers = channels.get(channel);
        if (subscribers == null) {
            return 0;
        }
        // One frame for every subscriber: frames are immutable.
        Frame message = Frame.Array.of(MESSAGE, new Frame.Bulk(channel.bytes()), payload);
        int sent = 0;
        for (Mailbox m : subscribers) {
            if (m.offer(message)) {
                sent++;
            }
        }
        return sent;
    }

    void subscribe(Key channel, Mailbox mailbox) {
        channels.compute(channel, (k, set) -> {
            Set<Mailbox> s = set != null ? set : ConcurrentHashMap.newKeySet();
            s.add(mailbox);
            return s;
        });
    }

    void unsubscribe(Key channel, Mailbox mailbox) {
        channels.computeIfPresent(channel, (k, set) -> {
            set.remove(mailbox);
            return set.isEmpty() ? null : set;
        });
    }

    /**
     * {@return how many connections subscribe to {@code channel}}
     *
     * @param channel the channel
     */
    public int subscriberCount(Key channel) {
        Set<Mailbox> subscribers = channels.get(channel);
        return subscribers == null ? 0 : subscribers.size();
    }

    /** {@return the channels that have subscribers} */
    public List<Key> channels() {
        return new ArrayList<>(channels.keySet());
    }
}
