package dev.kyoto.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Framed over a real loopback socket, with the JDK's blocking socket as the peer. */
class FramedTcpTest {

    static Async<Void> serveLines(TcpStream socket) {
        Framed<String> lines = Framed.of(socket, new LinesCodec(8192));
        return Async.using(lines, f -> Async.loop(() -> f.next().then(line ->
                line == null ? Async.ready(false) : f.feed(line.toUpperCase()).map(v -> true))));
    }

    @Test
    void aPipelinedClientGetsEveryReplyInOrder() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<Void> server = rt.spawn(listener.accept().then(FramedTcpTest::serveLines));
                int n = 10_000;
                try (Socket client = new Socket("127.0.0.1", listener.localAddress().getPort())) {
                    StringBuilder all = new StringBuilder();
                    for (int i = 0; i < n; i++) {
                        all.append("line ").append(i).append('\n');
                    }
                    Thread writer = Thread.ofPlatform().start(() -> {
                        try {
                            OutputStream out = client.getOutputStream();
                            out.write(all.toString().getBytes(StandardCharsets.UTF_8));
                            client.shutdownOutput();
                        } catch (Exception e) {
                            throw new RuntimeException(e);
                        }
                    });
                    BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
                    for (int i = 0; i < n; i++) {
                        assertEquals("LINE " + i, in.readLine());
                    }
                    assertEquals(null, in.readLine(), "the server closes after the client's end of stream");
                    writer.join();
                }
                rt.blockOn(server);
                listener.close();
            }
        });
    }
}
