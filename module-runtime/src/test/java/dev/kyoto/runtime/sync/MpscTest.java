package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MpscTest {

    @Test
    void messagesArriveInTheOrderTheyWereSent() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.bounded(8);
        for (int i = 0; i < 5; i++) {
            Probe.of(ch.sender().send(i)).ready();
        }
        for (int i = 0; i < 5; i++) {
            assertEquals(i, Probe.of(ch.receiver().recv()).ready());
        }
        Probe.of(ch.receiver().recv()).pending();
    }

    @Test
    void aFullChannelMakesSendWaitUntilTheReceiverTakesAMessage() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(2);
        Mpsc.Sender<String> tx = ch.sender();
        assertTrue(tx.trySend("a"));
        assertTrue(tx.trySend("b"));
        assertFalse(tx.trySend("c"), "capacity 2");
        Probe<Void> c = Probe.of(tx.send("c")).pending();
        assertEquals(1, tx.waitingSenders());
        assertEquals(Optional.of("a"), ch.receiver().tryRecv());
        assertEquals(1, c.wakes());
        c.ready();
        assertEquals(Optional.of("b"), ch.receiver().tryRecv());
        assertEquals(Optional.of("c"), ch.receiver().tryRecv());
        assertEquals(Optional.empty(), ch.receiver().tryRecv(), "empty, not closed");
    }

    @Test
    void waitingSendersAreServedInTheOrderTheyStartedWaiting() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Sender<String> other = tx.copy();
        assertTrue(tx.trySend("first"));
        Probe<Void> a = Probe.of(other.send("a")).pending();
        Probe<Void> b = Probe.of(tx.send("b")).pending();
        assertFalse(tx.trySend("late"), "trySend does not overtake waiting senders");
        assertEquals(Optional.of("first"), ch.receiver().tryRecv());
        assertTrue(a.woken());
        assertFalse(b.woken());
        a.ready();
        assertEquals(Optional.of("a"), ch.receiver().tryRecv());
        b.ready();
        assertEquals(Optional.of("b"), ch.receiver().tryRecv());
    }

    @Test
    void aPendingRecvIsWokenBySend() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.unbounded();
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        assertTrue(ch.sender().trySend("x"));
        assertEquals(1, rx.wakes());
        assertEquals("x", rx.ready());
    }

    @Test
    void theChannelEndsWhenEverySenderIsClosedAndTheBufferIsDrained() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(4);
        Mpsc.Sender<String> copy = ch.sender().copy();
        ch.sender().trySend("a");
        ch.sender().close();
        ch.sender().close();
        assertFalse(copy.isClosed(), "a copy is still open");
        Probe<String> rx = Probe.of(ch.receiver().recv());
        assertEquals("a", rx.ready());
        Probe<String> next = Probe.of(ch.receiver().recv()).pending();
        copy.trySend("b");
        copy.close();
        assertTrue(next.woken());
        assertEquals("b", next.ready());
        assertNull(Probe.of(ch.receiver().recv()).ready(), "closed and drained");
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch.receiver()::tryRecv);
        assertTrue(e.getMessage().contains("every Mpsc.Sender was closed"), e.getMessage());
    }

    @Test
    void closingTheLastSenderWakesAWaitingReceiver() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.unbounded();
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        ch.sender().close();
        assertEquals(1, rx.wakes());
        assertNull(rx.ready());
    }

    @Test
    void aClosedSenderHandleRefusesToSendOrCopy() {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        tx.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tx.send("x"));
        assertTrue(e.getMessage().contains("another copy"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> tx.trySend("x"));
        assertThrows(IllegalStateException.class, tx::reserve);
        assertThrows(IllegalStateException.class, tx::copy);
    }

    @Test
    void closingTheReceiverFailsWaitingAndLaterSendsButKeepsWhatWasSent() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        tx.trySend("kept");
        Probe<Void> waiting = Probe.of(tx.send("refused")).pending();
        ch.receiver().close();
        assertTrue(tx.isClosed());
        assertEquals(1, waiting.wakes());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, waiting::poll);
        assertTrue(e.getMessage().contains("Receiver was closed"), e.getMessage());
        assertThrows(ChannelClosedException.class, () -> tx.trySend("x"));
        assertThrows(ChannelClosedException.class, () -> Probe.of(tx.send("x")).poll());
        assertThrows(ChannelClosedException.class, () -> Probe.of(tx.reserve()).poll());
        assertEquals("kept", Probe.of(ch.receiver().recv()).ready());
        assertNull(Probe.of(ch.receiver().recv()).ready());
    }

    @Test
    void closingTheReceiverFromAnotherThreadWakesTheTaskWaitingInRecv() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        Thread closer = Thread.ofPlatform().start(ch.receiver()::close);
        closer.join();
        assertEquals(1, rx.wakes());
        assertNull(rx.ready(), "closed and nothing buffered: the end");
    }

    @Test
    void aPermitReservesASlotThatSendOrCloseConsumes() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        Mpsc.Permit<String> permit = Probe.of(tx.reserve()).ready();
        assertFalse(tx.trySend("x"), "the only slot is reserved");
        permit.send("reserved");
        assertThrows(IllegalStateException.class, () -> permit.send("again"));
        assertEquals(Optional.of("reserved"), ch.receiver().tryRecv());
        Mpsc.Permit<String> unused = Probe.of(tx.reserve()).ready();
        unused.close();
        unused.close();
        assertTrue(tx.trySend("y"), "closing the permit gave the slot back, once");
        assertFalse(tx.trySend("z"));
    }

    @Test
    void anOutstandingPermitKeepsTheChannelFromEndingUntilItIsUsed() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(2);
        Mpsc.Permit<String> permit = Probe.of(ch.sender().reserve()).ready();
        ch.sender().close();
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        permit.send("late");
        assertTrue(rx.woken());
        assertEquals("late", rx.ready());
        assertNull(Probe.of(ch.receiver().recv()).ready());
    }

    @Test
    void anOutstandingPermitClosedUnusedEndsTheChannel() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(2);
        Mpsc.Permit<String> permit = Probe.of(ch.sender().reserve()).ready();
        ch.sender().close();
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        permit.close();
        assertTrue(rx.woken());
        assertNull(rx.ready());
    }

    @Test
    void aPermitReservedBeforeTheReceiverClosedStillDelivers() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Permit<String> permit = Probe.of(ch.sender().reserve()).ready();
        ch.receiver().close();
        permit.send("delivered");
        assertEquals(Optional.of("delivered"), ch.receiver().tryRecv());
        assertThrows(ChannelClosedException.class, ch.receiver()::tryRecv);
    }

    @Test
    void anUnboundedChannelNeverMakesASenderWait() throws Exception {
        Mpsc.Channel<Integer> ch = Mpsc.unbounded();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(ch.sender().trySend(i));
        }
        Probe.of(ch.sender().send(-1)).ready();
        for (int i = 0; i < 100_000; i++) {
            assertEquals(Optional.of(i), ch.receiver().tryRecv());
        }
        assertEquals(Optional.of(-1), ch.receiver().tryRecv());
    }

    @Test
    void cancellingAPendingRecvLosesNoMessage() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        rx.cancel();
        ch.sender().trySend("m");
        assertFalse(rx.woken(), "the cancelled recv's waker was dropped");
        assertEquals("m", Probe.of(ch.receiver().recv()).ready());
    }

    @Test
    void cancellingAWaitingSendLeavesTheChannelAsIfItWasNeverCalled() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        tx.trySend("a");
        Probe<Void> send = Probe.of(tx.send("cancelled")).pending();
        send.cancel();
        assertEquals(0, tx.waitingSenders());
        assertEquals(Optional.of("a"), ch.receiver().tryRecv());
        assertEquals(Optional.empty(), ch.receiver().tryRecv(), "the cancelled message was never sent");
        assertTrue(tx.trySend("b"), "and its slot was not kept");
        assertFalse(tx.trySend("c"));
    }

    @Test
    void aSlotHandedToASendThatIsThenCancelledGoesToTheNextSender() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        tx.trySend("a");
        Probe<Void> first = Probe.of(tx.send("first")).pending();
        Probe<Void> second = Probe.of(tx.send("second")).pending();
        assertEquals(Optional.of("a"), ch.receiver().tryRecv());
        assertTrue(first.woken());
        first.cancel();
        assertTrue(second.woken());
        second.ready();
        assertEquals(Optional.of("second"), ch.receiver().tryRecv());
        assertEquals(Optional.empty(), ch.receiver().tryRecv());
    }

    @Test
    void cancellingAWaitingReserveKeepsNoSlot() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        tx.trySend("a");
        Probe<Mpsc.Permit<String>> reserve = Probe.of(tx.reserve()).pending();
        assertEquals(Optional.of("a"), ch.receiver().tryRecv());
        reserve.cancel();
        assertEquals(0, tx.waitingSenders());
        assertTrue(tx.trySend("b"));
    }

    @Test
    void aSendCancelledAfterTheLastSenderClosedLetsTheChannelEnd() throws Exception {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        Mpsc.Sender<String> tx = ch.sender();
        tx.trySend("a");
        Probe<Void> send = Probe.of(tx.send("b")).pending();
        assertEquals(Optional.of("a"), ch.receiver().tryRecv());
        assertTrue(send.woken(), "the freed slot was handed to the waiting send");
        tx.close();
        Probe<String> rx = Probe.of(ch.receiver().recv()).pending();
        send.cancel();
        assertTrue(rx.woken(), "giving the slot back made the closed channel idle");
        assertNull(rx.ready());
    }

    @Test
    void nullMessagesAndZeroCapacityAreRejected() {
        Mpsc.Channel<String> ch = Mpsc.bounded(1);
        assertThrows(NullPointerException.class, () -> ch.sender().send(null));
        assertThrows(NullPointerException.class, () -> ch.sender().trySend(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Mpsc.bounded(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    }

    @Test
    void aReceiveLoopSpendsTheCooperativeBudget() throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().build()) {
            Mpsc.Channel<Integer> ch = Mpsc.unbounded();
            for (int i = 0; i < 1_000; i++) {
                ch.sender().trySend(i);
            }
            int receivedInOnePoll = rt.blockOn(rt.spawn(cx -> {
                int n = 0;
                while (ch.receiver().recv().poll(cx).isReady()) {
                    n++;
                }
                return Poll.ready(n);
            }));
            assertEquals(128, receivedInOnePoll);
            assertEquals(Optional.of(128), ch.receiver().tryRecv(), "the message after the budget ran out was not taken");
        }
    }
}
