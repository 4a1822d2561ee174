package dev.kyoto.net;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener whose accept queue is full, so that a connect to it stays pending: a
 * listener with a backlog of one that never accepts, and sockets filling its queue. Once the
 * queue is full the kernel drops further SYNs, and a connect waits (for its SYN retransmits, the
 * first after a second) until it is given up. No outside network is involved.
 */
public final class Blackhole implements AutoCloseable {
    /** Linux queues backlog + 1 connections. */
    private static final int QUEUED = 2;

    private final ServerSocketChannel listener;
    private final List<SocketChannel> fillers = new ArrayList<>();

    /** A blackhole on 127.0.0.1. */
    public Blackhole() throws IOException {
        this(InetAddress.getLoopbackAddress());
    }

    /** A blackhole on {@code loopback} (127.0.0.1 or ::1). */
    public Blackhole(InetAddress loopback) throws IOException {
        StandardProtocolFamily family = loopback instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        listener = ServerSocketChannel.open(family);
        try (Selector selector = Selector.open()) {
            listener.bind(new InetSocketAddress(loopback, 0), 1);
            // Non-blocking connects: the first ones complete into the accept queue, the rest wait.
            for (int i = 0; i < 8; i++) {
                SocketChannel ch = SocketChannel.open(family);
                fillers.add(ch);
                ch.configureBlocking(false);
                if (!ch.connect(listener.getLocalAddress())) {
                    ch.register(selector, SelectionKey.OP_CONNECT);
                }
            }
            // Wait until the queue is full, so a connect made after construction cannot slip in.
            int connected = 0;
            for (SocketChannel ch : fillers) {
                connected += ch.isConnected() ? 1 : 0;
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (connected < QUEUED && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey k : selector.selectedKeys()) {
                    if (((SocketChannel) k.channel()).finishConnect()) {
                        connected++;
                        k.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            if (connected < QUEUED) {
                throw new IOException("the blackhole's accept queue did not fill: " + connected + " queued");
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public InetSocketAddress address() throws IOException {
        return (InetSocketAddress) listener.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel ch : fillers) {
            ch.close();
        }
        listener.close();
    }
}
