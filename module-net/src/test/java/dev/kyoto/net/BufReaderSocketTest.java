package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.io.BufReader;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BufReader's lines over a real socket. */
class BufReaderSocketTest {

    /** Writes each piece separately, giving the reader a turn in between, then half-closes. */
    private static Async<Void> sendPieces(TcpStream s, List<byte[]> pieces, int i) {
        if (i == pieces.size()) {
            return cx -> {
                s.shutdownOutput();
                return dev.kyoto.runtime.Poll.ready(null);
            };
        }
        return s.writeAll(ByteBuffer.wrap(pieces.get(i))).then(v -> Async.yieldNow()).then(v -> sendPieces(s, pieces, i + 1));
    }

    private static Async<List<String>> readLines(BufReader in, List<String> into) {
        return in.readLine(64).then(line -> {
            if (line == null) {
                return Async.ready(into);
            }
            into.add(line);
            return readLines(in, into);
        });
    }

    @Test
    void readsLinesSentInAwkwardPieces() {
        byte[] snowman = "\u2603".getBytes(StandardCharsets.UTF_8);
        List<byte[]> pieces = List.of(
                ascii("GET / HTTP/1.1\r"), ascii("\nHost: exa"), ascii("mple.org\r\n"), ascii("\r\n"),
                ascii("snow "), Arrays.copyOfRange(snowman, 0, 1), Arrays.copyOfRange(snowman, 1, 3), ascii("\n"),
                ascii("\n\nno newline at the end"));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                TcpStream server = rt.blockOn(accepted);
                server.setNoDelay(true);
                rt.spawn(sendPieces(server, pieces, 0));
                BufReader in = new BufReader(client, 8);
                assertEquals(List.of("GET / HTTP/1.1", "Host: example.org", "", "snow \u2603", "", "", "no newline at the end"),
                        rt.blockOn(readLines(in, new ArrayList<>())));
                assertNull(rt.blockOn(in.readLine()));
                client.close();
                server.close();
            }
        });
    }

    /** A peer that streams megabytes without a newline gets an error, not a growing buffer. */
    @Test
    void aPeerCannotMakeReadLineBufferWithoutBound() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                TcpStream server = rt.blockOn(accepted);
                byte[] noNewline = new byte[4 << 20];
                Arrays.fill(noNewline, (byte) 'A');
                JoinHandle<Void> flood = rt.spawn(server.writeAll(ByteBuffer.wrap(noNewline)));
                BufReader in = new BufReader(client, 256);
                IOException e = assertThrows(IOException.class, () -> rt.blockOn(in.readLine(1000)));
                assertTrue(e.getMessage().contains("limit of 1000 bytes"), e.getMessage());
                assertTrue(in.buffered().remaining() <= 1002, in.buffered().remaining() + " bytes buffered");
                flood.abort();
                client.close();
                server.close();
            }
        });
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
