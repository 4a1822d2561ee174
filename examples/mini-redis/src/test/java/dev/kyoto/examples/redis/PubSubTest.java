package dev.kyoto.examples.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.examples.redis.resp.Frame;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PUBLISH, SUBSCRIBE and UNSUBSCRIBE between real connections. */
@Timeout(60)
class PubSubTest {
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new TestServer();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @Test
    void subscribersReceiveWhatIsPublishedToTheirChannels() throws Exception {
        try (RespClient sub = server.client(); RespClient sub2 = server.client(); RespClient pub = server.client()) {
            assertEquals(integer(0), pub.call("PUBLISH", "news", "nobody listens"));
            sub.send("SUBSCRIBE", "news", "sport");
            assertEquals(reply("subscribe", "news", 1), sub.read());
            assertEquals(reply("subscribe", "sport", 2), sub.read());
            assertEquals(reply("subscribe", "news", 1), sub2.call("SUBSCRIBE", "news"));

            assertEquals(Frame.Array.of(Frame.Bulk.of("news"), integer(2), Frame.Bulk.of("none"), integer(0)),
                    pub.call("PUBSUB", "NUMSUB", "news", "none"));
            assertEquals(integer(2), pub.call("PUBLISH", "news", "hello"));
            assertEquals(integer(1), pub.call("PUBLISH", "sport", "goal"));
            assertEquals(integer(0), pub.call("PUBLISH", "weather", "rain"));
            assertEquals(message("news", "hello"), sub.read());
            assertEquals(message("sport", "goal"), sub.read());
            assertEquals(message("news", "hello"), sub2.read());
        }
    }

    @Test
    void aSubscribedConnectionAcceptsOnlyPubSubCommandsPingAndQuit() throws Exception {
        try (RespClient sub = server.client()) {
            assertEquals(reply("subscribe", "ctx", 1), sub.call("SUBSCRIBE", "ctx"));
            assertEquals(new Frame.Error("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT"
                    + " / RESET are allowed in this context"), sub.call("GET", "k"));
            assertEquals(Frame.Array.of(Frame.Bulk.of("pong"), Frame.Bulk.of("")), sub.call("PING"));
            assertEquals(Frame.Array.of(Frame.Bulk.of("pong"), Frame.Bulk.of("hi")), sub.call("PING", "hi"));
            assertEquals(reply("unsubscribe", "ctx", 0), sub.call("UNSUBSCRIBE"));
            // Out of subscribed mode: everything again.
            assertEquals(Frame.NULL_BULK, sub.call("GET", "pubsub:none"));
            assertEquals(new Frame.Simple("PONG"), sub.call("PING"));
            assertEquals(Frame.Array.of(Frame.Bulk.of("unsubscribe"), Frame.NULL_BULK, integer(0)), sub.call("UNSUBSCRIBE"));
        }
    }

    @Test
    void unsubscribingStopsDeliveryAndCountsDown() throws Exception {
        try (RespClient sub = server.client(); RespClient pub = server.client()) {
            sub.send("SUBSCRIBE", "a", "b", "c");
            for (int i = 1; i <= 3; i++) {
                sub.read();
            }
            assertEquals(reply("unsubscribe", "b", 2), sub.call("UNSUBSCRIBE", "b"));
            assertEquals(integer(0), pub.call("PUBLISH", "b", "lost"));
            assertEquals(integer(1), pub.call("PUBLISH", "c", "kept"));
            assertEquals(message("c", "kept"), sub.read());
            sub.send("UNSUBSCRIBE");
            assertEquals(reply("unsubscribe", "a", 1), sub.read());
            assertEquals(reply("unsubscribe", "c", 0), sub.read());
            assertEquals(integer(0), pub.call("PUBLISH", "a", "lost"));
        }
    }

    /** Commands and messages arriving together: none of either is lost, and each command is answered in order. */
    @Test
    void messagesAndCommandsInterleaveWithoutLoss() throws Exception {
        int n = 500;
        try (RespClient sub = server.client(); RespClient pub = server.client()) {
            assertEquals(reply("subscribe", "mix", 1), sub.call("SUBSCRIBE", "mix"));
            ByteArrayOutputStream pings = new ByteArrayOutputStream();
            ByteArrayOutputStream publishes = new ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                pings.writeBytes(RespClient.encode("PING", "p" + i));
                publishes.writeBytes(RespClient.encode("PUBLISH", "mix", "m" + i));
            }
            sub.sendRaw(pings.toByteArray());
            pub.sendRaw(publishes.toByteArray());
            int pongs = 0;
            int messages = 0;
            while (pongs < n || messages < n) {
                Frame f = sub.read();
                Frame.Array a = (Frame.Array) f;
                if (a.items().get(0).equals(Frame.Bulk.of("pong"))) {
                    assertEquals(Frame.Bulk.of("p" + pongs), a.items().get(1));
                    pongs++;
                } else {
                    assertEquals(message("mix", "m" + messages), f);
                    messages++;
                }
            }
            for (int i = 0; i < n; i++) {
                assertEquals(integer(1), pub.read());
            }
        }
    }

    /**
     * A subscriber that falls more than the channel's capacity behind (its client reads nothing
     * while 40 MB are published) is disconnected when it next receives, as Redis disconnects one
     * at its pub/sub output buffer limit, and its subscription ends.
     */
    @Test
    void aSubscriberThatFallsBehindIsDisconnected() throws Exception {
        try (RespClient sub = server.client(); RespClient pub = server.client()) {
            assertEquals(reply("subscribe", "slow", 1), sub.call("SUBSCRIBE", "slow"));
            String payload = "x".repeat(1024);
            ByteArrayOutputStream batch = new ByteArrayOutputStream();
            for (int i = 0; i < 1000; i++) {
                batch.writeBytes(RespClient.encode("PUBLISH", "slow", payload));
            }
            for (int round = 0; round < 40; round++) {
                pub.sendRaw(batch.toByteArray());
                for (int i = 0; i < 1000; i++) {
                    pub.read();
                }
            }
            // Now it reads: what was written to it, then the end, long before 40,000 messages.
            assertTrue(sub.drainUntilClosed(), "the subscriber that fell behind was not disconnected");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!pub.call("PUBSUB", "NUMSUB", "slow").equals(Frame.Array.of(Frame.Bulk.of("slow"), integer(0)))) {
                assertTrue(System.nanoTime() < deadline, "the disconnected subscriber is still subscribed");
            }
        }
    }

    @Test
    void quitInSubscribedModeCloses() throws Exception {
        try (RespClient sub = server.client(); RespClient pub = server.client()) {
            assertEquals(reply("subscribe", "q", 1), sub.call("SUBSCRIBE", "q"));
            assertEquals(new Frame.Simple("OK"), sub.call("QUIT"));
            assertTrue(sub.closedByServer());
            assertEquals(integer(0), pub.call("PUBLISH", "q", "gone"));
        }
    }

    private static Frame reply(String kind, String channel, long count) {
        return Frame.Array.of(Frame.Bulk.of(kind), Frame.Bulk.of(channel), integer(count));
    }

    private static Frame message(String channel, String payload) {
        return Frame.Array.of(Frame.Bulk.of("message"), Frame.Bulk.of(channel), Frame.Bulk.of(payload));
    }

    private static Frame integer(long n) {
        return new Frame.Int(n);
    }
}
