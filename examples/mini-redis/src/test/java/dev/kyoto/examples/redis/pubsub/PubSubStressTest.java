package dev.kyoto.examples.redis.pubsub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.examples.redis.db.Key;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.runtime.sync.Broadcast;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Threads subscribe to, publish on and leave the same channel at once, so that its broadcast is
 * created and dropped over and over under concurrent publishes: a subscriber must never join a
 * broadcast that is being dropped (its own publish would reach nobody), and the channel must be
 * gone once everyone has left.
 */
@Timeout(60)
class PubSubStressTest {

    @Test
    void aSubscriberAlwaysReceivesWhatItPublishesWhileOthersComeAndGo() throws Exception {
        int threads = 4;
        int iterations = 20_000;
        PubSub pubSub = new PubSub();
        Key channel = Key.of("busy".getBytes(StandardCharsets.US_ASCII));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Frame.Bulk mine = Frame.Bulk.of("from " + t);
                done.add(pool.submit(() -> {
                    assertTrue(start.await(30, TimeUnit.SECONDS));
                    for (int i = 0; i < iterations; i++) {
                        Broadcast.Receiver<Frame> rx = pubSub.subscribe(channel);
                        assertTrue(pubSub.publish(channel, mine) >= 1, "a publish missed its own subscriber");
                        assertTrue(received(rx, mine), "a subscriber did not receive its own message");
                        pubSub.unsubscribe(channel, rx);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), pubSub.channels());
        assertEquals(0, pubSub.subscriberCount(channel));
        assertEquals(0, pubSub.publish(channel, Frame.Bulk.of("nobody")));
    }

    /**
     * Whether {@code rx} holds {@code payload}'s message among what others published meanwhile;
     * true, unknowable, if the thread was descheduled so long that the others overwrote it.
     */
    private static boolean received(Broadcast.Receiver<Frame> rx, Frame.Bulk payload) throws Exception {
        Optional<Frame> next;
        while (true) {
            try {
                next = rx.tryRecv();
            } catch (Broadcast.LaggedException e) {
                return true;
            }
            if (next.isEmpty()) {
                return false;
            }
            Frame.Array message = (Frame.Array) next.get();
            if (message.items().get(2).equals(payload)) {
                return true;
            }
        }
    }
}
