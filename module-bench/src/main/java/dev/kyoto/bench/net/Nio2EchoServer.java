package dev.kyoto.bench.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.Executors;

/**
 * NIO.2's {@link AsynchronousSocketChannel}: completion handlers on a channel group of
 * {@code workers} threads; each connection reads into a direct buffer of
 * {@link EchoServer#BUFFER_SIZE} bytes and writes it back until it is empty, then reads again.
 * On Linux the JDK runs this on epoll with its own dispatch threads.
 */
final class Nio2EchoServer implements EchoServer {
    private AsynchronousChannelGroup group;
    private AsynchronousServerSocketChannel server;

    @Override
    public InetSocketAddress start(InetSocketAddress address, int workers) throws IOException {
        group = AsynchronousChannelGroup.withFixedThreadPool(workers, Executors.defaultThreadFactory());
        server = AsynchronousServerSocketChannel.open(group);
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(address, 1024);
        server.accept(null, new Acceptor());
        return (InetSocketAddress) server.getLocalAddress();
    }

    private final class Acceptor implements CompletionHandler<AsynchronousSocketChannel, Void> {
        @Override
        public void completed(AsynchronousSocketChannel ch, Void unused) {
            server.accept(null, this);
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            } catch (IOException e) {
                close(ch);
                return;
            }
            new Connection(ch).read();
        }

        @Override
        public void failed(Throwable failure, Void unused) {
            if (server.isOpen()) {
                server.accept(null, this);
            }
        }
    }

    /** One connection's read-then-write-back loop; each handler re-issues the next operation. */
    private static final class Connection implements CompletionHandler<Integer, Boolean> {
        private static final Boolean READ = Boolean.TRUE;
        private static final Boolean WRITE = Boolean.FALSE;
        private final AsynchronousSocketChannel ch;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);

        Connection(AsynchronousSocketChannel ch) {
            this.ch = ch;
        }

        void read() {
            ch.read(buffer.clear(), READ, this);
        }

        @Override
        public void completed(Integer n, Boolean op) {
            if (op == READ) {
                if (n < 0) {
                    close(ch);
                    return;
                }
                buffer.flip();
            }
            if (buffer.hasRemaining()) {
                ch.write(buffer, WRITE, this);
            } else {
                read();
            }
        }

        @Override
        public void failed(Throwable failure, Boolean op) {
            close(ch);
        }
    }

    private static void close(AsynchronousSocketChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            // Nothing more to do for a connection that is gone.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        group.shutdownNow();
    }
}
