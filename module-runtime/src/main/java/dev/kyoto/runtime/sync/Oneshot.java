package dev.kyoto.runtime.sync;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import dev.kyoto.runtime.spi.Coop;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A channel for exactly one value, from one sender to one receiver: the reply slot of a request,
 * the result of a task handed to another.
 *
 * <pre>{@code
 * Oneshot.Channel<String> reply = Oneshot.channel();
 * handle.spawn(work.map(v -> reply.sender().send(v)));
 * String v = runtime.blockOn(reply.receiver());
 * }</pre>
 *
 * <p>Each side learns when the other has gone. The {@link Receiver} is itself the computation of
 * the value; it fails with {@link ChannelClosedException} when the sender was
 * {@linkplain Sender#close() closed} without sending. The {@link Sender}'s {@link Sender#send} returns
 * false once the receiver was closed or cancelled, and {@link Sender#closed()} waits for that.
 * Java has no destructor to do this implicitly: close a sender that will not send (try-with-
 * resources does it; closing after a send does nothing), or its receiver waits for ever.
 */
public final class Oneshot {
    private Oneshot() {
    }

    /**
     * Creates a channel.
     *
     * @param <T> the type of the value; null is a value like any other
     * @return its two ends
     */
    public static <T> Channel<T> channel() {
        Receiver<T> receiver = new Receiver<>();
        return new Channel<>(new Sender<>(receiver), receiver);
    }

    /**
     * The two ends of a new oneshot channel.
     *
     * @param sender the sending end; give it to whoever produces the value
     * @param receiver the receiving end; poll it for the value
     * @param <T> the type of the value
     */
    public record Channel<T>(Sender<T> sender, Receiver<T> receiver) {
        /** Checks both ends are present. */
        public Channel {
            Objects.requireNonNull(sender, "sender");
            Objects.requireNonNull(receiver, "receiver");
        }
    }

    /**
     * The sending end: {@link #send} once, or {@link #close()} to tell the receiver no value will
     * come. Owned by one task or thread at a time.
     *
     * @param <T> the type of the value
     */
    public static final class Sender<T> implements AutoCloseable {
        private final Receiver<T> receiver;
        /** Set by the first send or close; the sender's own, so not volatile. */
        private boolean used;

        private Sender(Receiver<T> receiver) {
            this.receiver = receiver;
        }

        /**
         * Sends the value and wakes the receiver. Never waits.
         *
         * @param value the value, which may be null
         * @return true if the value was delivered; false if the receiver was closed or cancelled
         *         first, in which case nobody will see the value
         * @throws IllegalStateException if this sender already sent or was closed
         */
        public boolean send(T value) {
            if (used) {
                throw new IllegalStateException("this Oneshot.Sender already sent or was closed; a oneshot carries "
                        + "one value, so create a new channel for the next one");
            }
            used = true;
            return receiver.complete(value);
        }

        /** Whether the receiver was closed or cancelled: a value sent now would not be delivered. */
        public boolean isClosed() {
            return receiver.isReceiverClosed();
        }

        /**
         * A computation that completes when the receiver is closed or cancelled, so a producer can
         * stop work nobody waits for. One task waits on it at a time. Every poll spends one unit of
         * the task's cooperative budget.
         *
         * @return the computation
         */
        public Async<Void> closed() {
            return new ReceiverGone(receiver);
        }

        /** Tells the receiver that no value will come. Does nothing after a send. Idempotent. */
        @Override
        public void close() {
            if (!used) {
                used = true;
                receiver.closeSender();
            }
        }
    }

    /**
     * The receiving end, and the computation of the value: it completes with the sent value, or
     * fails with {@link ChannelClosedException} when the sender was closed without sending.
     * Cancelling it, like {@link #close()}, tells the sender nobody will take the value.
     *
     * <p>Concurrency state:
     * <ul>
     *   <li>{@code state}: atomic bits {@code SENT}, {@code TX_CLOSED} (set by the sender, at
     *       most one of them, once) and {@code RX_CLOSED} (set by the receiver). The value is
     *       delivered exactly when {@code SENT} is set before {@code RX_CLOSED}.</li>
     *   <li>{@code value}: written by the sender before its CAS sets {@code SENT}, read by the
     *       receiver after it saw {@code SENT}.</li>
     *   <li>{@code rxWaker}, {@code txWaker}: volatile; the receiver's and the sender's waiting
     *       task. Each waiter writes its waker and then re-reads {@code state}; each completer
     *       changes {@code state} and then takes the other side's waker: with both accesses
     *       volatile, one of them sees the other, so no wake is lost.</li>
     *   <li>{@code done}: the receiver's own; set when it completed.</li>
     * </ul>
     *
     * @param <T> the type of the value
     */
    public static final class Receiver<T> implements Async<T>, AutoCloseable {
        private static final int SENT = 1;
        private static final int TX_CLOSED = 2;
        private static final int RX_CLOSED = 4;

        private static final VarHandle STATE;
        private static final VarHandle RX_WAKER;
        private static final VarHandle TX_WAKER;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                STATE = l.findVarHandle(Receiver.class, "state", int.class);
                RX_WAKER = l.findVarHandle(Receiver.class, "rxWaker", Waker.class);
                TX_WAKER = l.findVarHandle(Receiver.class, "txWaker", Waker.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private volatile int state;
        private T value;
        private volatile Waker rxWaker;
        private volatile Waker txWaker;
        private boolean done;

        private Receiver() {
        }

        @Override
        public Poll<T> poll(Context cx) throws ChannelClosedException {
            if (done) {
                throw new IllegalStateException("this Oneshot.Receiver already completed; a oneshot carries one value");
            }
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            int s = state;
            if (s == 0) {
                Waker w = cx.waker();
                if (rxWaker != w) {
                    rxWaker = w;
                }
                s = state;
                if (s == 0) {
                    Coop.refund();
                    return Poll.pending();
                }
            }
            done = true;
            rxWaker = null;
            if ((s & SENT) != 0) {
                T v = value;
                value = null;
                return Poll.ready(v);
            }
            if ((s & TX_CLOSED) != 0) {
                throw new ChannelClosedException("the Oneshot.Sender was closed without sending a value");
            }
            throw new ChannelClosedException("this Oneshot.Receiver was closed before a value arrived");
        }

        /**
         * Abandons the wait: as {@link #close()}, except that the waiting task, which is the one
         * giving up, is not woken.
         */
        @Override
        public void cancel() {
            rxWaker = null;
            closeReceiving();
        }

        /**
         * Tells the sender that nobody will take the value: its {@link Sender#send} returns false
         * from now on and its {@link Sender#closed()} completes. A value sent before the close can
         * still be taken by polling; a task waiting for the value is woken and fails with
         * {@link ChannelClosedException} unless one was sent. Idempotent.
         */
        @Override
        public void close() {
            closeReceiving();
            wake(RX_WAKER);
        }

        private void closeReceiving() {
            int previous = (int) STATE.getAndBitwiseOr(this, RX_CLOSED);
            if ((previous & RX_CLOSED) == 0) {
                wake(TX_WAKER);
            }
        }

        boolean isReceiverClosed() {
            return (state & RX_CLOSED) != 0;
        }

        /** The sender's send: delivers unless the receiver closed first. */
        boolean complete(T v) {
            value = v;
            int s = state;
            for (;;) {
                if ((s & RX_CLOSED) != 0) {
                    value = null;
                    return false;
                }
                int witness = (int) STATE.compareAndExchange(this, s, s | SENT);
                if (witness == s) {
                    break;
                }
                s = witness;
            }
            wake(RX_WAKER);
            return true;
        }

        /** The sender's close without a value. */
        void closeSender() {
            STATE.getAndBitwiseOr(this, TX_CLOSED);
            wake(RX_WAKER);
        }

        private void wake(VarHandle slot) {
            Waker w = (Waker) slot.getAndSet(this, (Waker) null);
            if (w != null) {
                w.wake();
            }
        }

        /** Registers the sender's waker for {@link Sender#closed()}; true if the receiver is closed already. */
        boolean registerSender(Waker w) {
            if (txWaker != w) {
                txWaker = w;
            }
            return isReceiverClosed();
        }

        /** Drops the sender's waker if it is still {@code w}. */
        void unregisterSender(Waker w) {
            TX_WAKER.compareAndSet(this, w, (Waker) null);
        }
    }

    /** The computation behind {@link Sender#closed()}. */
    private static final class ReceiverGone implements Async<Void> {
        private static final Poll<Void> READY = Poll.ready(null);

        private final Receiver<?> receiver;
        /** The waker registered by the last pending poll, to unregister on cancel. */
        private Waker registered;

        ReceiverGone(Receiver<?> receiver) {
            this.receiver = receiver;
        }

        @Override
        public Poll<Void> poll(Context cx) {
            if (!Coop.proceed(cx)) {
                return Poll.pending();
            }
            if (receiver.isReceiverClosed()) {
                return READY;
            }
            Waker w = cx.waker();
            if (receiver.registerSender(w)) {
                receiver.unregisterSender(w);
                return READY;
            }
            registered = w;
            Coop.refund();
            return Poll.pending();
        }

        @Override
        public void cancel() {
            if (registered != null) {
                receiver.unregisterSender(registered);
            }
        }
    }
}
