package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The conversation that proves a running {@code kyoto echo-server} works: it reads the
 * {@code listening on} line, then has two connections answered in turn while both stay open.
 */
final class EchoCheck {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private EchoCheck() {
    }

    /** Waits for the server's first line (no sleeping: the read blocks until it is written), then talks to it. */
    static void twoConnections(KyotoProcess server) throws IOException {
        String first = server.readLine();
        Matcher m = LISTENING.matcher(String.valueOf(first));
        assertTrue(m.matches(), "first line: " + first);
        int port = Integer.parseInt(m.group(1));

        try (Socket a = new Socket(InetAddress.getLoopbackAddress(), port);
                Socket b = new Socket(InetAddress.getLoopbackAddress(), port)) {
            // Interleaved, so that one connection can only be answered while the other stays open.
            a.getOutputStream().write(ascii("hello from a"));
            b.getOutputStream().write(ascii("hello from b"));
            assertArrayEquals(ascii("hello from b"), b.getInputStream().readNBytes(12));
            assertArrayEquals(ascii("hello from a"), a.getInputStream().readNBytes(12));

            a.shutdownOutput();
            assertEquals(-1, a.getInputStream().read(), "the server closes a connection at its end of stream");
            b.getOutputStream().write(ascii("still here"));
            assertArrayEquals(ascii("still here"), b.getInputStream().readNBytes(10));
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
