package dev.kyoto.runtime.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OneshotTest {

    @Test
    void aValueSentBeforeThePollIsReadyAtOnce() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        assertTrue(ch.sender().send("v"));
        assertEquals("v", Probe.of(ch.receiver()).ready());
    }

    @Test
    void aPendingReceiverIsWokenBySend() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Probe<String> rx = Probe.of(ch.receiver()).pending();
        assertTrue(ch.sender().send("v"));
        assertEquals(1, rx.wakes());
        assertEquals("v", rx.ready());
        assertThrows(IllegalStateException.class, rx::poll, "one value, received once");
    }

    @Test
    void nullIsAValue() throws Exception {
        Oneshot.Channel<Void> ch = Oneshot.channel();
        assertTrue(ch.sender().send(null));
        assertNull(Probe.of(ch.receiver()).ready());
    }

    @Test
    void aSenderClosedWithoutSendingFailsTheReceiver() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Probe<String> rx = Probe.of(ch.receiver()).pending();
        try (Oneshot.Sender<String> tx = ch.sender()) {
            assertFalse(tx.isClosed());
        }
        assertEquals(1, rx.wakes());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, rx::poll);
        assertTrue(e.getMessage().contains("closed without sending"), e.getMessage());
    }

    @Test
    void closingTheSenderAfterSendingChangesNothing() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        try (Oneshot.Sender<String> tx = ch.sender()) {
            tx.send("v");
        }
        assertEquals("v", Probe.of(ch.receiver()).ready());
    }

    @Test
    void aSenderSendsOnce() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("a");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ch.sender().send("b"));
        assertTrue(e.getMessage().contains("new channel"), e.getMessage());
    }

    @Test
    void theSenderLearnsWhenTheReceiverIsClosed() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Probe<Void> closed = Probe.of(ch.sender().closed()).pending();
        ch.receiver().close();
        assertEquals(1, closed.wakes());
        closed.ready();
        assertTrue(ch.sender().isClosed());
        assertFalse(ch.sender().send("lost"), "nobody would take it");
        Probe.of(ch.sender().closed()).ready();
    }

    @Test
    void cancellingAWaitingReceiverTellsTheSender() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Probe<String> rx = Probe.of(ch.receiver()).pending();
        Probe<Void> closed = Probe.of(ch.sender().closed()).pending();
        rx.cancel();
        assertTrue(closed.woken());
        assertFalse(ch.sender().send("v"));
        assertFalse(rx.woken(), "the cancelled receiver's waker was dropped");
    }

    @Test
    void closingTheReceiverFromAnotherThreadWakesTheTaskWaitingOnIt() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Probe<String> rx = Probe.of(ch.receiver()).pending();
        Thread closer = Thread.ofPlatform().start(ch.receiver()::close);
        closer.join();
        assertEquals(1, rx.wakes());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, rx::poll);
        assertTrue(e.getMessage().contains("closed before a value arrived"), e.getMessage());
        assertTrue(ch.sender().isClosed());
    }

    @Test
    void aValueSentBeforeTheReceiverClosedCanStillBeTaken() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.sender().send("v");
        ch.receiver().close();
        assertEquals("v", Probe.of(ch.receiver()).ready());
    }

    @Test
    void pollingAClosedReceiverWithoutAValueFails() {
        Oneshot.Channel<String> ch = Oneshot.channel();
        ch.receiver().close();
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> Probe.of(ch.receiver()).poll());
        assertTrue(e.getMessage().contains("Receiver was closed"), e.getMessage());
    }

    @Test
    void cancellingClosedLeavesNoWakerBehind() throws Exception {
        Oneshot.Channel<String> ch = Oneshot.channel();
        Probe<Void> closed = Probe.of(ch.sender().closed()).pending();
        closed.cancel();
        ch.receiver().close();
        assertFalse(closed.woken());
    }
}
