package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BroadcastTest {

    @Test
    void capacityMustBeAtLeastOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Broadcast.channel(0));
        assertTrue(e.getMessage().contains("1 or more, got 0"), e.getMessage());
        assertEquals(1, Broadcast.<String>channel(1).sender().receiverCount());
    }

    @Test
    void everyReceiverSeesEveryValueInOrder() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(8);
        Broadcast.Receiver<Integer> rx1 = ch.receiver();
        Broadcast.Receiver<Integer> rx2 = ch.sender().subscribe();
        for (int i = 1; i <= 3; i++) {
            assertEquals(2, ch.sender().send(i), "receivers that will see " + i);
        }
        for (int i = 1; i <= 3; i++) {
            assertEquals(i, Probe.of(rx1.recv()).ready());
        }
        for (int i = 1; i <= 3; i++) {
            assertEquals(Optional.of(i), rx2.tryRecv());
        }
        assertEquals(Optional.empty(), rx1.tryRecv());
        Probe.of(rx2.recv()).pending();
    }

    @Test
    void aReceiverSeesOnlyValuesSentAfterItSubscribed() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(8);
        ch.sender().send("before");
        Broadcast.Receiver<String> late = ch.sender().subscribe();
        Broadcast.Receiver<String> later = ch.receiver().resubscribe();
        ch.sender().send("after");
        assertEquals(Optional.of("after"), late.tryRecv());
        assertEquals(Optional.of("after"), later.tryRecv());
        assertEquals(Optional.of("before"), ch.receiver().tryRecv(), "resubscribe leaves the original receiver where it was");
        assertEquals(3, ch.sender().receiverCount());
    }

    @Test
    void aValueSentWithNoReceiverIsDropped() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        ch.receiver().close();
        assertEquals(0, ch.sender().receiverCount());
        assertEquals(0, ch.sender().send("nobody"));
        Broadcast.Receiver<String> rx = ch.sender().subscribe();
        assertEquals(0, rx.heldValues());
        assertEquals(Optional.empty(), rx.tryRecv());
    }

    @Test
    void aReceiverThatFellBehindIsToldExactlyHowManyItMissedAndGoesOnFromTheOldest() throws Exception {
        Broadcast.Channel<Integer> ch = Broadcast.channel(4);
        Broadcast.Receiver<Integer> viaTry = ch.receiver();
        Broadcast.Receiver<Integer> viaRecv = ch.sender().subscribe();
        for (int i = 0; i < 10; i++) {
            ch.sender().send(i);
        }
        Broadcast.LaggedException e = assertThrows(Broadcast.LaggedException.class, viaTry::tryRecv);
        assertEquals(6, e.missed());
        assertTrue(e.getMessage().contains("missed 6 values"), e.getMessage());
        Broadcast.LaggedException viaPoll = assertThrows(Broadcast.LaggedException.class, () -> Probe.of(viaRecv.recv()).poll());
        assertEquals(6, viaPoll.missed());
        for (int i = 6; i < 10; i++) {
            assertEquals(Optional.of(i), viaTry.tryRecv());
            assertEquals(i, Probe.of(viaRecv.recv()).ready());
        }
        assertEquals(Optional.empty(), viaTry.tryRecv());
        ch.sender().send(10);
        ch.sender().send(11);
        assertEquals(Optional.of(10), viaTry.tryRecv(), "a receiver that caught up does not lag again");
    }

    @Test
    void aPendingRecvIsWokenBySendAndGetsTheValue() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Probe<String> a = Probe.of(ch.receiver().recv()).pending();
        Broadcast.Receiver<String> other = ch.sender().subscribe();
        Probe<String> b = Probe.of(other.recv()).pending();
        assertEquals(2, ch.receiver().waiterCount());
        ch.sender().send("x");
        assertEquals(1, a.wakes());
        assertEquals(1, b.wakes());
        assertEquals(0, ch.receiver().waiterCount());
        assertEquals("x", a.ready());
        assertEquals("x", b.ready());
        assertThrows(IllegalStateException.class, a::poll);
    }

    @Test
    void closingEverySenderWakesEveryWaiterAndEndsAfterTheValuesHeld() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Broadcast.Sender<String> second = ch.sender().copy();
        Broadcast.Receiver<String> behind = ch.sender().subscribe();
        second.send("last");
        ch.receiver().tryRecv();
        Probe<String> waiting = Probe.of(ch.receiver().recv()).pending();
        ch.sender().close();
        ch.sender().close();
        assertFalse(waiting.woken(), "one sender handle is still open");
        second.close();
        assertEquals(1, waiting.wakes());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, waiting::poll);
        assertTrue(e.getMessage().contains("every Broadcast.Sender was closed"), e.getMessage());
        assertEquals("last", Probe.of(behind.recv()).ready());
        assertThrows(ChannelClosedException.class, behind::tryRecv);
        assertThrows(ChannelClosedException.class, () -> ch.sender().subscribe().tryRecv());
    }

    @Test
    void aClosedSenderHandleRefusesToSendOrCopy() {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        ch.sender().close();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> ch.sender().send("x"));
        assertTrue(e.getMessage().contains("send through another copy"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> ch.sender().copy());
    }

    @Test
    void closingAReceiverFailsItsPendingRecvAndReleasesWhatItHeldBack() throws Exception {
        Broadcast.Channel<byte[]> ch = Broadcast.channel(4);
        Broadcast.Receiver<byte[]> fast = ch.receiver();
        Broadcast.Receiver<byte[]> slow = ch.sender().subscribe();
        ch.sender().send(new byte[1 << 20]);
        ch.sender().send(new byte[1 << 20]);
        fast.tryRecv();
        fast.tryRecv();
        assertEquals(2, slow.heldValues(), "both values are held for the slow receiver");
        slow.close();
        slow.close();
        assertEquals(0, slow.heldValues(), "closing the slow receiver releases them");
        assertEquals(1, ch.sender().receiverCount());
        Probe<byte[]> pending = Probe.of(fast.recv()).pending();
        fast.close();
        assertEquals(1, pending.wakes());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, pending::poll);
        assertTrue(e.getMessage().contains("this Broadcast.Receiver was closed"), e.getMessage());
        assertEquals(0, fast.waiterCount());
        assertEquals(0, ch.sender().send(new byte[1]));
    }

    @Test
    void aValueIsReleasedOnceEveryReceiverHasItOrWhenItIsOverwritten() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(2);
        Broadcast.Receiver<String> a = ch.receiver();
        Broadcast.Receiver<String> b = ch.sender().subscribe();
        ch.sender().send("one");
        a.tryRecv();
        assertEquals(1, a.heldValues());
        b.tryRecv();
        assertEquals(0, a.heldValues(), "both receivers have it");
        Broadcast.Receiver<String> c = ch.sender().subscribe();
        ch.sender().send("two");
        a.tryRecv();
        b.tryRecv();
        assertEquals(1, a.heldValues(), "held for c, which subscribed before it was sent");
        c.tryRecv();
        assertEquals(0, a.heldValues());
        for (int i = 0; i < 5; i++) {
            ch.sender().send("v" + i);
        }
        assertEquals(2, a.heldValues(), "the ring holds at most its capacity");
    }

    @Test
    void cancellingAPendingRecvLosesNothingAndLeavesNoWaiter() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Probe<String> cancelled = Probe.of(ch.receiver().recv()).pending();
        cancelled.cancel();
        assertEquals(0, ch.receiver().waiterCount());
        ch.sender().send("kept");
        assertFalse(cancelled.woken());
        assertEquals("kept", Probe.of(ch.receiver().recv()).ready());
    }

    @Test
    void cancellingARecvWokenButNotYetPolledLeavesTheValueForTheNextRecv() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Probe<String> woken = Probe.of(ch.receiver().recv()).pending();
        ch.sender().send("kept");
        assertTrue(woken.woken());
        woken.cancel();
        assertEquals(Optional.of("kept"), ch.receiver().tryRecv());
    }

    @Test
    void aRecvWokenAfterAnotherTookItsValueWaitsAgain() throws Exception {
        Broadcast.Channel<String> ch = Broadcast.channel(4);
        Probe<String> first = Probe.of(ch.receiver().recv()).pending();
        ch.sender().send("taken");
        assertEquals(Optional.of("taken"), ch.receiver().tryRecv());
        first.pending();
        assertEquals(1, ch.receiver().waiterCount());
        ch.sender().send("next");
        assertEquals(2, first.wakes());
        assertEquals("next", first.ready());
    }

    @Test
    void receivingSpendsTheCooperativeBudget() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            Broadcast.Channel<Integer> ch = Broadcast.channel(1_000);
            for (int i = 0; i < 1_000; i++) {
                ch.sender().send(i);
            }
            int completedInOnePoll = rt.blockOn(rt.spawn(cx -> {
                int done = 0;
                while (done < 1_000 && ch.receiver().recv().poll(cx).isReady()) {
                    done++;
                }
                return Poll.ready(done);
            }));
            assertEquals(128, completedInOnePoll);
        }
    }
}
