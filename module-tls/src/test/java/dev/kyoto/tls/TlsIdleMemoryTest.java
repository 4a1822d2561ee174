package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What an idle TLS connection costs: connections that have shaken hands and exchanged a message,
 * then wait (the server side in a pending read), against the same number of plain TCP
 * connections doing the same. The difference per connection and side is the engine and its
 * session; it must not include the packet buffers (two of about 16.3 KiB each), which an idle
 * stream gives back.
 */
class TlsIdleMemoryTest {
    private static final int CONNECTIONS = 100;
    /**
     * What TLS may add to a connection, both sides together: less than one packet buffer
     * (17 KiB) more than the two engines' measured ~13 KiB, so a single buffer kept by either
     * side fails the test.
     */
    private static final long MAX_EXTRA_BYTES = 24 * 1024;

    @Test
    void anIdleTlsConnectionCostsItsEngineAndNoBuffers() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey).build();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).build();
            heldPerConnection(false, acceptor, connector);   // warms up: classes, JIT, pools
            long plain = heldPerConnection(false, acceptor, connector);
            long tls = heldPerConnection(true, acceptor, connector);
            long extra = tls - plain;
            System.out.printf("idle connection, both sides: plain TCP %,d bytes, TLS %,d bytes; TLS adds %,d bytes, %,d per side%n",
                    plain, tls, extra, extra / 2);
            assertTrue(extra < MAX_EXTRA_BYTES, "an idle TLS connection costs " + extra + " bytes more than a plain one (both sides);"
                    + " neither side should hold a packet buffer while idle");
        });
    }

    /** Heap held per connection (client and server side together) while CONNECTIONS idle connections are open. */
    private static long heldPerConnection(boolean tls, TlsAcceptor acceptor, TlsConnector connector) throws Exception {
        try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build();
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
            List<AutoCloseable> clients = new ArrayList<>();
            List<JoinHandle<Integer>> servers = new ArrayList<>();
            long before = usedHeap();
            for (int i = 0; i < CONNECTIONS; i++) {
                servers.add(rt.spawn(listener.accept().then(s -> {
                    if (!tls) {
                        return pingThenWait(s, s);
                    }
                    return acceptor.accept(s).then(t -> pingThenWait(t, t));
                })));
                TcpStream socket = rt.blockOn(TcpStream.connect(listener.localAddress()));
                if (tls) {
                    TlsStream<TcpStream> t = rt.blockOn(connector.connect("localhost", socket));
                    rt.blockOn(t.writeAll(ByteBuffer.wrap(new byte[] {1})).then(v -> t.flush()));
                    rt.blockOn(t.readExact(ByteBuffer.allocate(1)));
                    clients.add(t);
                } else {
                    rt.blockOn(socket.writeAll(ByteBuffer.wrap(new byte[] {1})));
                    rt.blockOn(socket.readExact(ByteBuffer.allocate(1)));
                    clients.add(socket);
                }
            }
            long held = (usedHeap() - before) / CONNECTIONS;
            for (JoinHandle<Integer> s : servers) {
                s.abort();
            }
            for (AutoCloseable c : clients) {
                c.close();
            }
            return held;
        }
    }

    /** Reads one byte, echoes it, then waits in a read that never completes. */
    private static <S extends dev.kyoto.io.AsyncRead & dev.kyoto.io.AsyncWrite> Async<Integer> pingThenWait(S s, S same) {
        ByteBuffer one = ByteBuffer.allocate(1);
        return s.readExact(one).then(v -> same.writeAll(one.flip())).then(v -> same.flush())
                .then(v -> s.read(ByteBuffer.allocate(1)));
    }

    /** The heap in use after full collections (explicit GC is a stop-the-world full collection in G1). */
    private static long usedHeap() {
        Runtime heap = Runtime.getRuntime();
        System.gc();
        System.gc();
        return heap.totalMemory() - heap.freeMemory();
    }
}
