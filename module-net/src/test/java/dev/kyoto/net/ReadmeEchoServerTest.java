package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadmeEchoServerTest {


    @Test
    void theReadmeEchoServerEchoesToAPlainJavaClient() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            // The plain client's close opens the JDK's pre-close descriptor the first time in a
            // JVM: run alone on io_uring, where nothing else closed a JDK socket yet, it counted.
            Loopback.openJdkPreCloseDescriptor();
            try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                int port = listener.localAddress().getPort();
                long fds = Loopback.openDescriptors();
                long regs = Released.registrations(rt);
                JoinHandle<Void> server = rt.spawn(ReadmeEchoServer.serve(listener));
                byte[] sent = "hello from a blocking socket".getBytes(StandardCharsets.UTF_8);
                byte[] got = new byte[sent.length];
                JoinHandle<Void> client = rt.spawnBlocking(() -> {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        OutputStream out = s.getOutputStream();
                        InputStream in = s.getInputStream();
                        for (int round = 0; round < 100; round++) {
                            out.write(sent);
                            int n = 0;
                            while (n < got.length) {
                                int r = in.read(got, n, got.length - n);
                                if (r < 0) {
                                    throw new java.io.EOFException("the echo server closed early");
                                }
                                n += r;
                            }
                        }
                    }
                    return null;
                });
                rt.blockOn(client);
                assertArrayEquals(sent, got);
                Released.await(rt, fds, regs, "the server closes a connection when it ends");
                server.abort();
                listener.close();
            }
        });
    }
}
