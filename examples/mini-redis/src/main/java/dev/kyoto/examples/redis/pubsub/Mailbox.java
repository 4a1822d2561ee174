package dev.kyoto.examples.redis.pubsub;

import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.sync.ChannelClosedException;
import dev.kyoto.runtime.sync.Mpsc;
import dev.kyoto.runtime.sync.Notify;

/**
 * Where a subscribed connection's messages wait until its task writes them: a bounded
 * {@link Mpsc} channel. A publisher never waits for a subscriber: when the mailbox is full, the
 * subscriber is too slow, and as Redis disconnects a subscriber whose pub/sub output buffer
 * reached its limit, the mailbox is closed and {@link #overflowed()} completes: the connection
 * closes at once, even while it waits for its client to read.
 *
 * <p>Offered from any publisher's thread; received, watched and closed by the subscribing
 * connection's task.
 */
final class Mailbox {
    /** How many messages a subscriber may have waiting before it is disconnected. */
    static final int CAPACITY = 4096;

    private final Mpsc.Channel<Frame> channel = Mpsc.bounded(CAPACITY);
    /** Notified once, by the publisher that found the mailbox full. */
    private final Notify overflow = new Notify();

    /** Queues {@code message}; whether it was queued (not if the mailbox is full or closed). */
    boolean offer(Frame message) {
        try {
            if (channel.sender().trySend(message)) {
                return true;
            }
        } catch (ChannelClosedException e) {
            return false;
        }
        // Closing first: the sends that follow fail at once instead of notifying again.
        channel.receiver().close();
        overflow.notifyOne();
        return false;
    }

    /** Completes once a publisher found the mailbox full. */
    Async<Void> overflowed() {
        return overflow.notified();
    }

    /** The next message, or null once the mailbox was closed and is drained. */
    Async<Frame> next() {
        return channel.receiver().recv();
    }

    void close() {
        channel.receiver().close();
        channel.sender().close();
    }
}
