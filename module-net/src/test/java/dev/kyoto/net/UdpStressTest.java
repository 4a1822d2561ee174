package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One UDP socket shared by four receiving tasks on a multi-thread runtime, fed by a plain thread:
 * every datagram must be received exactly once, and no task may be left waiting.
 *
 * <p>UDP drops what arrives while the receive buffer is full, so the sender keeps at most
 * {@value #WINDOW} datagrams in flight: it takes a permit per datagram, and a receiver returns one
 * per datagram received. A loss is then a bug, not the kernel's right. Each receiver stops at the
 * first stop datagram it receives; the four stops are sent after all the data, so when all four
 * tasks have finished every data datagram has been taken.
 */
class UdpStressTest {
    private static final int DATAGRAMS = 20_000;
    private static final int TASKS = 4;
    private static final int WINDOW = 64;
    private static final int STOP = -1;

    @Test
    void fourTasksReceivingOnOneSocketGetEveryDatagramExactlyOnce() {
        stress(false);
    }

    /**
     * The same with every task peeking before it receives: the held datagram is shared by all the
     * tasks and taken by whichever receives first, so peeks and receives race on the slot from
     * four threads.
     */
    @Test
    void fourTasksPeekingAndReceivingOnOneSocketGetEveryDatagramExactlyOnce() {
        stress(true);
    }

    private static void stress(boolean peekFirst) {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(TASKS).enableAll().build()) {
                UdpSocket socket = rt.blockOn(UdpSocket.bind("127.0.0.1:0"));
                socket.setRecvBufferSize(1 << 20);
                AtomicIntegerArray counts = new AtomicIntegerArray(DATAGRAMS);
                Semaphore window = new Semaphore(WINDOW);
                List<JoinHandle<Integer>> receivers = new ArrayList<>();
                for (int t = 0; t < TASKS; t++) {
                    receivers.add(rt.spawn(receive(socket, ByteBuffer.allocate(16), peekFirst, counts, window, 0)));
                }
                InetSocketAddress target = socket.localAddress();
                AtomicReference<Throwable> senderFailure = new AtomicReference<>();
                long start = System.nanoTime();
                Thread sender = Thread.ofPlatform().name("udp-stress-sender").start(() -> {
                    try (DatagramChannel ch = Datagrams.plainV4()) {
                        ByteBuffer out = ByteBuffer.allocate(4);
                        for (int i = 0; i < DATAGRAMS; i++) {
                            window.acquire();
                            ch.send(out.clear().putInt(0, i), target);
                        }
                        for (int t = 0; t < TASKS; t++) {
                            ch.send(out.clear().putInt(0, STOP), target);
                        }
                    } catch (IOException | InterruptedException e) {
                        senderFailure.set(e);
                    }
                });
                int[] perTask = new int[TASKS];
                for (int t = 0; t < TASKS; t++) {
                    perTask[t] = rt.blockOn(receivers.get(t));
                }
                sender.join();
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertEquals(null, senderFailure.get());
                for (int i = 0; i < DATAGRAMS; i++) {
                    assertEquals(1, counts.get(i), "datagram " + i + " was received " + counts.get(i) + " times");
                }
                assertEquals(DATAGRAMS, Arrays.stream(perTask).sum());
                System.out.println("UDP stress" + (peekFirst ? " (peek, then receive)" : "") + ": " + DATAGRAMS
                        + " datagrams to " + TASKS + " tasks on one socket, per task " + Arrays.toString(perTask) + ", in " + ms + " ms");
                socket.close();
            }
        });
    }

    /** Receives until a stop datagram; completes with the number of data datagrams this task received. */
    private static Async<Integer> receive(UdpSocket socket, ByteBuffer buf, boolean peekFirst,
            AtomicIntegerArray counts, Semaphore window, int received) {
        Async<Integer> next = peekFirst
                ? socket.peek(buf.clear()).then(n -> socket.recv(buf.clear()))
                : socket.recv(buf.clear());
        return next.then(n -> {
            assertEquals(4, n);
            int seq = buf.getInt(0);
            if (seq == STOP) {
                return Async.ready(received);
            }
            counts.incrementAndGet(seq);
            window.release();
            return receive(socket, buf, peekFirst, counts, window, received + 1);
        });
    }
}
