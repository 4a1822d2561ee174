package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import org.junit.jupiter.api.Test;

class WatchTest {

    @Test
    void receiversSeeTheLatestValue() {
        Watch.Channel<String> ch = Watch.channel("initial");
        assertEquals("initial", ch.receiver().get());
        assertFalse(ch.receiver().hasChanged(), "the first receiver has seen the initial value");
        ch.sender().send("one");
        ch.sender().send("two");
        assertTrue(ch.receiver().hasChanged());
        assertEquals("two", ch.receiver().get());
    }

    @Test
    void changedWaitsForANewerValueAndMarksItSeen() throws Exception {
        Watch.Channel<String> ch = Watch.channel("a");
        Probe<String> changed = Probe.of(ch.receiver().changed()).pending();
        ch.sender().send("b");
        assertEquals(1, changed.wakes());
        assertEquals("b", changed.ready());
        assertFalse(ch.receiver().hasChanged());
        Probe.of(ch.receiver().changed()).pending();
    }

    @Test
    void changedSkipsValuesTheReceiverWasTooSlowToSee() throws Exception {
        Watch.Channel<Integer> ch = Watch.channel(0);
        ch.sender().send(1);
        ch.sender().send(2);
        assertEquals(2, Probe.of(ch.receiver().changed()).ready());
        Probe.of(ch.receiver().changed()).pending();
    }

    @Test
    void oneSendWakesEveryWaitingReceiver() throws Exception {
        Watch.Channel<String> ch = Watch.channel("a");
        Watch.Receiver<String> second = ch.sender().subscribe();
        Probe<String> p1 = Probe.of(ch.receiver().changed()).pending();
        Probe<String> p2 = Probe.of(second.changed()).pending();
        assertEquals(2, second.waiterCount());
        ch.sender().send("b");
        assertEquals("b", p1.ready());
        assertEquals("b", p2.ready());
        assertEquals(0, second.waiterCount());
    }

    @Test
    void aNewSubscriberHasSeenTheCurrentValue() throws Exception {
        Watch.Channel<String> ch = Watch.channel("a");
        ch.sender().send("b");
        Watch.Receiver<String> late = ch.sender().subscribe();
        assertFalse(late.hasChanged());
        assertEquals("b", late.get());
        Probe.of(late.changed()).pending();
    }

    @Test
    void closingTheSenderFailsChangedOnceTheLastValueWasSeen() throws Exception {
        Watch.Channel<String> ch = Watch.channel("a");
        Watch.Receiver<String> behind = ch.sender().subscribe();
        Probe<String> waiting = Probe.of(ch.receiver().changed()).pending();
        ch.sender().send("last");
        assertEquals("last", waiting.ready());
        Probe<String> again = Probe.of(ch.receiver().changed()).pending();
        ch.sender().close();
        ch.sender().close();
        assertEquals(1, again.wakes());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, again::poll);
        assertTrue(e.getMessage().contains("Watch.Sender was closed"), e.getMessage());
        assertEquals("last", Probe.of(behind.changed()).ready(), "an unseen value is still delivered after the close");
        assertThrows(ChannelClosedException.class, () -> Probe.of(behind.changed()).poll());
        assertEquals("last", behind.get());
        IllegalStateException refused = assertThrows(IllegalStateException.class, () -> ch.sender().send("x"));
        assertTrue(refused.getMessage().contains("closed"), refused.getMessage());
    }

    @Test
    void cancellingAWaitingChangedLeavesTheChannelAsIfItNeverWaited() throws Exception {
        Watch.Channel<String> ch = Watch.channel("a");
        Probe<String> waiting = Probe.of(ch.receiver().changed()).pending();
        waiting.cancel();
        assertEquals(0, ch.receiver().waiterCount());
        ch.sender().send("b");
        assertFalse(waiting.woken());
        assertTrue(ch.receiver().hasChanged(), "the cancelled wait did not mark anything seen");
        assertEquals("b", Probe.of(ch.receiver().changed()).ready());
    }

    @Test
    void twoWaitsOfOneReceiverBothCompleteOnASend() throws Exception {
        Watch.Channel<String> ch = Watch.channel("a");
        Probe<String> first = Probe.of(ch.receiver().changed()).pending();
        Probe<String> second = Probe.of(ch.receiver().changed()).pending();
        ch.sender().send("b");
        assertEquals("b", second.ready());
        assertEquals("b", first.ready(), "woken by the send, it completes even though the other saw it first");
    }

    @Test
    void waitingSpendsTheCooperativeBudget() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            Watch.Channel<Integer> ch = Watch.channel(0);
            int changesInOnePoll = rt.blockOn(rt.spawn(cx -> {
                int n = 0;
                while (n < 1_000) {
                    ch.sender().send(n + 1);
                    if (ch.receiver().changed().poll(cx).isPending()) {
                        break;
                    }
                    n++;
                }
                return Poll.ready(n);
            }));
            assertEquals(128, changesInOnePoll);
        }
    }
}
