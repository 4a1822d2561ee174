package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadmeProxyTest {

    @Test
    void theReadmeProxyRelaysBothWaysAndPassesEndOfStreamOn() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll().build()) {
                TcpListener echo = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                TcpListener front = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                rt.blockOn(cx -> {
                    Loopback.spawnEchoServer(echo);
                    return Poll.ready(null);
                });
                String target = "127.0.0.1:" + echo.localAddress().getPort();
                JoinHandle<Void> proxy = rt.spawn(ReadmeProxy.proxy(front, new AcceptBackoff((failure, pause) -> { }), TcpConnector.builder().timeout(Duration.ofSeconds(5)).build(), target));
                int port = front.localAddress().getPort();
                byte[] sent = "through the proxy and back".getBytes();
                byte[] got = rt.blockOn(rt.spawnBlocking(() -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        out.write(sent);
                        s.shutdownOutput();
                        return in.readAllBytes();
                    }
                }));
                assertArrayEquals(sent, got, "everything came back, and then end of stream");
                proxy.abort();
                front.close();
                echo.close();
            }
        });
    }
}
