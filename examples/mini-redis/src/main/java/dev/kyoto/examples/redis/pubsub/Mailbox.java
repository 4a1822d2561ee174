package dev.kyoto.examples.redis.pubsub;

import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.sync.ChannelClosedException;
import dev.kyoto.runtime.sync.Mpsc;

/**
 * Where a subscribed connection's messages wait until its task writes them: a bounded
 * {@link Mpsc} channel. A publisher never waits for a subscriber: when the mailbox is full, the
 * subscriber is too slow, and as Redis disconnects a subscriber whose pub/sub output buffer
 * reached its limit, the mailbox is closed: the connection receives what it holds, then the end,
 * and closes.
 */
final class Mailbox {
    /** How many messages a subscriber may have waiting before it is disconnected. */
    static final int CAPACITY = 4096;

    private final Mpsc.Channel<Frame> channel = Mpsc.bounded(CAPACITY);

    /** Queues {@code message}; whether it was queued (not if the mailbox is full or closed). */
    boolean offer(Frame message) {
        try {
            if (channel.sender().trySend(message)) {
                return true;
            }
        } catch (ChannelClosedException e) {
            return false;
        }
        channel.receiver().close();
        return false;
    }

    /** The next message, or null once the mailbox was closed for overflowing and is drained. */
    Async<Frame> next() {
        return channel.receiver().recv();
    }

    void close() {
        channel.receiver().close();
        channel.sender().close();
    }
}
