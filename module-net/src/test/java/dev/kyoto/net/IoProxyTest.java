package dev.kyoto.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.kyoto.io.Io;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.Poll;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Io.copy and Io.copyBidirectional between real sockets. */
class IoProxyTest {

    /**
     * client → proxy → echo server and back, megabytes each way at once; the client's end of
     * stream must travel through the proxy to the echo server, whose close must travel back.
     */
    @ParameterizedTest
    @MethodSource("dev.kyoto.net.MultiThreadNetTest#flavours")
    void aProxyOnCopyBidirectionalCarriesMegabytesAndPassesTheEndOn(Supplier<KyotoRuntime> flavour) {
        long size = 8L << 20;
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = flavour.get()) {
                TcpListener echo = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                rt.spawn(cx -> {
                    Loopback.spawnEchoServer(echo);
                    return Poll.ready(null);
                });
                InetSocketAddress echoAddress = echo.localAddress();
                TcpListener proxy = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<Io.Copied> proxied = rt.spawn(proxy.accept().then(in -> TcpStream.connect(echoAddress).then(out ->
                        Io.copyBidirectional(in, out).map(copied -> {
                            in.close();
                            out.close();
                            return copied;
                        }))));
                TcpStream client = rt.blockOn(TcpStream.connect(proxy.localAddress()));
                JoinHandle<Long> echoed = rt.spawn(Pattern.drain(client));
                rt.blockOn(Pattern.write(client, 0, size));
                client.shutdownOutput();
                assertEquals(size, rt.blockOn(echoed), "every byte came back, in order, and then the end");
                assertEquals(new Io.Copied(size, size), rt.blockOn(proxied));
                client.close();
            }
        });
    }

    /** Tokio's tcp_echo.rs: the server is one io::copy from the stream to itself. */
    @Test
    void anEchoServerIsOneCopyFromTheStreamToItself() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            try (KyotoRuntime rt = Loopback.runtime()) {
                TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"));
                JoinHandle<Long> server = rt.spawn(listener.accept().then(s -> Io.copy(s, s).map(n -> {
                    s.close();
                    return n;
                })));
                TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
                byte[] msg = "foo bar baz".getBytes(StandardCharsets.US_ASCII);
                byte[] back = new byte[msg.length];
                for (int i = 0; i < 1024; i++) {
                    rt.blockOn(client.writeAll(ByteBuffer.wrap(msg)));
                    rt.blockOn(client.readExact(ByteBuffer.wrap(back)));
                    assertArrayEquals(msg, back);
                }
                client.shutdownOutput();
                assertEquals(1024L * msg.length, rt.blockOn(server));
                assertEquals(-1, rt.blockOn(client.read(ByteBuffer.allocate(1))));
                client.close();
            }
        });
    }
}
