package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.time.Time;
import dev.kyoto.test.KyotoTest;
import dev.kyoto.test.MockStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

class PingTest {
    /** The code under test: sends "ping\n" and waits at most {@code limit} for a 5-byte reply. */
    static <S extends AsyncRead & AsyncWrite> Async<String> ping(S stream, Duration limit) {
        ByteBuffer reply = ByteBuffer.allocate(5);
        return stream.writeAll(ByteBuffer.wrap("ping\n".getBytes(StandardCharsets.US_ASCII)))
                .then(v -> Time.timeout(limit, stream.readExact(reply)))
                .map(v -> new String(reply.array(), StandardCharsets.US_ASCII));
    }

    @KyotoTest
    void pingReadsTheReply(KyotoRuntime rt) throws Exception {
        MockStream server = MockStream.builder()
                .write("ping\n")                  // the code under test must send this
                .read("pong\n")                   // and is then given this to read
                .build();
        assertEquals("pong\n", rt.blockOn(ping(server, Duration.ofSeconds(10))));
        server.assertFinished();
    }

    @KyotoTest(startPaused = true)
    void pingGivesUpOnASilentServer(KyotoRuntime rt) {
        MockStream server = MockStream.builder()
                .write("ping\n")
                .waitFor(Duration.ofHours(1))     // then the server is silent for an hour
                .build();
        // No time passes for real: the paused clock jumps to the 10-second timeout.
        assertThrows(TimeoutException.class, () -> rt.blockOn(ping(server, Duration.ofSeconds(10))));
    }
}
