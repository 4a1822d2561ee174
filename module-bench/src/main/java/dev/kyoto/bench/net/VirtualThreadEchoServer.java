package dev.kyoto.bench.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * One virtual thread per connection on blocking {@code java.net} sockets, the JDK's own answer
 * to asynchronous I/O: the JDK parks a blocked virtual thread and its poller wakes it. The
 * virtual-thread scheduler gets {@code workers} carrier threads. Each connection reads into a
 * byte array of {@link EchoServer#BUFFER_SIZE} bytes (the stream API takes arrays; the JDK copies
 * through a cached direct buffer of its own).
 */
final class VirtualThreadEchoServer implements EchoServer {
    private ServerSocket server;

    @Override
    public InetSocketAddress start(InetSocketAddress address, int workers) throws IOException {
        // Read once, when the first virtual thread starts the scheduler: so before any is started.
        System.setProperty("jdk.virtualThreadScheduler.parallelism", Integer.toString(workers));
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(address, 1024);
        Thread.ofVirtual().name("accept").start(this::acceptLoop);
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    private void acceptLoop() {
        try {
            for (;;) {
                Socket s = server.accept();
                Thread.ofVirtual().start(() -> echo(s));
            }
        } catch (IOException e) {
            // The listening socket closed: the server is done.
        }
    }

    private static void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            s.setTcpNoDelay(true);
            byte[] buffer = new byte[BUFFER_SIZE];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            // A reset connection ends only itself.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
