package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.net.BindException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The faults a stream must report instead of hanging or losing data. */
class StreamFaultsTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void aPeerResetMidStreamFailsThePendingRead() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().getOutputStream().write("partial".getBytes());
                ByteBuffer buf = ByteBuffer.allocate(7);
                rt.blockOn(p.stream().readExact(buf));
                Probe<Integer> read = new Probe<>(rt, p.stream().read(ByteBuffer.allocate(64)));
                assertTrue(read.poll().isPending());
                p.peer().setSoLinger(true, 0);
                p.peer().close();
                read.awaitWakes(1);
                IOException e = assertThrows(IOException.class, read::poll);
                assertTrue(String.valueOf(e.getMessage()).contains("reset"), "the reset is named: " + e);
            }
        });
    }

    @Test
    void writingAfterThePeerClosedFails() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().close();
                assertEquals(-1, rt.blockOn(p.stream().read(ByteBuffer.allocate(1))));
                ByteBuffer chunk = ByteBuffer.allocate(1024);
                IOException e = assertThrows(IOException.class, () -> {
                    // The first write may be accepted by the kernel before the peer's reset comes back.
                    for (int i = 0; i < 1_000; i++) {
                        rt.blockOn(p.stream().writeAll(chunk.clear()));
                    }
                });
                String m = String.valueOf(e.getMessage());
                assertTrue(m.contains("Broken pipe") || m.contains("reset"), "the failure is named: " + e);
            }
        });
    }

    @Test
    void aHalfCloseByThePeerKeepsTheOtherDirectionWorking() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                p.peer().shutdownOutput();
                assertEquals(-1, rt.blockOn(p.stream().read(ByteBuffer.allocate(1))));
                assertEquals(-1, rt.blockOn(p.stream().read(ByteBuffer.allocate(1))), "end of stream is sticky");
                for (int i = 0; i < 100; i++) {
                    rt.blockOn(p.stream().writeAll(ByteBuffer.wrap(new byte[] {(byte) i})));
                    assertEquals(i, p.peer().getInputStream().read());
                }
            }
        });
    }

    @Test
    void everyOperationAfterCloseSaysStreamClosed() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                TcpStream s = p.stream();
                s.close();
                s.close();
                assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(s.read(ByteBuffer.allocate(1)))).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(s.write(ByteBuffer.allocate(1)))).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(s.peek(ByteBuffer.allocate(1)))).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class, () -> rt.blockOn(s.readable())).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class, () -> s.tryRead(ByteBuffer.allocate(1))).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class, () -> s.tryWrite(ByteBuffer.allocate(1))).getMessage());
                assertEquals(-1, p.peer().getInputStream().read(), "the peer sees the close");
            }
        });
    }

    @Test
    void closingAStreamWakesTheTasksWaitingOnIt() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); Probe.Pair p = Probe.Pair.open(rt)) {
                Probe<Integer> reader = new Probe<>(rt, p.stream().read(ByteBuffer.allocate(1)));
                Probe<Void> waiter = new Probe<>(rt, p.stream().readable());
                assertTrue(reader.poll().isPending());
                assertTrue(waiter.poll().isPending());
                Thread.ofPlatform().start(() -> {
                    try {
                        p.stream().close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }).join();
                assertEquals(1, reader.wakes.get());
                assertEquals(1, waiter.wakes.get());
                assertEquals("stream closed", assertThrows(IOException.class, reader::poll).getMessage());
                assertEquals("stream closed", assertThrows(IOException.class, waiter::poll).getMessage());
            }
        });
    }

    @Test
    void invalidPortsAndAddressFamiliesAreIllegalArguments() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TcpStream.connect("127.0.0.1:70000"))
                .getMessage().contains("70000"));
        assertThrows(IllegalArgumentException.class, () -> TcpStream.connect("127.0.0.1", -1));
        assertThrows(IllegalArgumentException.class, () -> TcpListener.bind("127.0.0.1:65536"));
        IllegalArgumentException unix = assertThrows(IllegalArgumentException.class,
                () -> TcpStream.connect(List.of(UnixDomainSocketAddress.of(Path.of("/tmp/kyoto.sock")))));
        assertTrue(unix.getMessage().contains("InetSocketAddress"), unix.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TcpListener.bind(UnixDomainSocketAddress.of(Path.of("/tmp/kyoto.sock"))));
    }

    @Test
    void bindingAnAddressInUseIsABindException() {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (KyotoRuntime rt = Loopback.runtime(); TcpListener first = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
                BindException e = assertThrows(BindException.class, () -> rt.blockOn(TcpListener.bind(first.localAddress())));
                assertTrue(e.getMessage().contains("in use"), e.getMessage());
            }
        });
    }
}
