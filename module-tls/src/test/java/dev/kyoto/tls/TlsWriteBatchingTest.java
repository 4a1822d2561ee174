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
}
