package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
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

    @Test
    void aFailedUpstreamConnectClosesTheClientsSocketAndNamesTheTask() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            LinkedBlockingQueue<String> unhandled = new LinkedBlockingQueue<>();
            try (KyotoRuntime rt = KyotoRuntime.builder().multiThread().workerThreads(2).enableAll()
                    .onUnhandledFailure((name, failure) -> unhandled.add(name + ": " + failure.getMessage())).build()) {
                TcpListener front = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                String refusing;
                try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    refusing = "127.0.0.1:" + gone.getLocalPort();
                }
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                JoinHandle<Void> proxy = rt.spawn(ReadmeProxy.proxy(front, new AcceptBackoff((failure, pause) -> { }),
                        TcpConnector.builder().timeout(Duration.ofSeconds(5)).build(), refusing));
                int port = front.localAddress().getPort();
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setSoTimeout(30_000);
                    assertEquals(-1, s.getInputStream().read(), "the proxy closed the client when the upstream refused");
                    String report = unhandled.take();
                    assertTrue(report.startsWith("proxy 127.0.0.1:" + s.getLocalPort() + ": "), report);
                    assertTrue(report.contains(refusing), "the failure names the upstream: " + report);
                }
                Released.await(rt, fds, regs, "the client's socket was closed by the proxy");
                proxy.abort();
                front.close();
            }
        });
    }
}
