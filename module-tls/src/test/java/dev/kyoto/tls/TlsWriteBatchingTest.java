package dev.kyoto.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A write of more than one record's plaintext leaves in one write to the stream beneath, not a
 * full record and then a small tail: over TCP with Nagle's algorithm on, the tail waited for the
 * peer's delayed ACK, and a 20 KB echo took 44 ms instead of 2.
 */
class TlsWriteBatchingTest {

    @Test
    void aTwentyKilobyteWriteIsOneWriteBeneath() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.of(pki.serverContext());
            TlsConnector connector = TlsConnector.of(pki.clientContext(false));
            MemoryPipe pipe = new MemoryPipe();
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                JoinHandle<TlsStream<MemoryPipe.End>> server = rt.spawn(acceptor.accept(pipe.b));
                TlsStream<MemoryPipe.End> client = rt.blockOn(connector.connect("localhost", pipe.a));
                TlsStream<MemoryPipe.End> serverSide = rt.blockOn(server);

                byte[] data = new byte[20_000];
                new Random(7).nextBytes(data);
                int before = pipe.a.writes();
                assertEquals((long) data.length, (long) rt.blockOn(client.write(new ByteBuffer[] {ByteBuffer.wrap(data)})),
                        "one write takes all 20,000 bytes: two records");
                assertEquals(1, pipe.a.writes() - before, "both records in one write beneath");

                ByteBuffer back = ByteBuffer.allocate(data.length);
                rt.blockOn(serverSide.readExact(back));
                assertArrayEquals(data, back.array());
            }
        });
    }

    /**
     * Records read together are decrypted together, but not past an alert: in TLS 1.2, unwrapping
     * the peer's close_notify closes the engine's output, and the data read before it must still
     * be written back (an echo's last bytes were lost this way, 32 KiB of 1 MiB, in one CI run).
     */
    @Test
    void dataReadWithTheCloseNotifyBehindItCanStillBeEchoed() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            TestPki pki = TestPki.get();
            TlsAcceptor acceptor = TlsAcceptor.builder().certificateChain(pki.serverChain).privateKey(pki.serverKey)
                    .protocols("TLSv1.2").build();
            TlsConnector connector = TlsConnector.builder().trustedCertificates(pki.caPem).protocols("TLSv1.2").build();
            MemoryPipe pipe = new MemoryPipe();
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                JoinHandle<TlsStream<MemoryPipe.End>> server = rt.spawn(acceptor.accept(pipe.b));
                TlsStream<MemoryPipe.End> client = rt.blockOn(connector.connect("localhost", pipe.a));
                TlsStream<MemoryPipe.End> serverSide = rt.blockOn(server);

                byte[] data = new byte[40_000];
                new Random(8).nextBytes(data);
                // Three records and the close_notify, all waiting before the server reads any.
                rt.blockOn(client.writeAll(ByteBuffer.wrap(data)).then(v -> client.shutdown()));
                ByteBuffer got = ByteBuffer.allocate(64 * 1024);
                int n = rt.blockOn(serverSide.read(got));
                assertEquals(data.length, n, "the data records, in one read");
                assertEquals((long) n, (long) rt.blockOn(serverSide.write(new ByteBuffer[] {got.flip()})),
                        "the server can still write what it read before the close_notify");
                assertEquals(-1, rt.blockOn(serverSide.read(ByteBuffer.allocate(64 * 1024))), "then the close_notify: the end");
            }
        });
    }
}
