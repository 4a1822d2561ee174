package dev.kyoto.net.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the tests that need more connections than one process may hold
 * ({@code ulimit -n}), or a client that is not itself out of descriptors: a separate JVM that
 * holds connections to an echo server and echoes on them when told, with plain NIO on one thread
 * (no Kyoto: the server is what is under test). Only {@code java.base}: it runs from the test
 * classes directory on the class path.
 *
 * <p>Commands, one per line on standard input; each is answered by one line on standard output
 * ({@code error ...} if anything went wrong, and the process exits):
 * <ul>
 * <li>{@code open N}: opens N more connections, at most 256 connecting at a time; answers
 *     {@code opened TOTAL MILLIS} once all are connected (in the server's backlog at least).
 * <li>{@code send SIZE}: on every open connection with no echo outstanding, writes SIZE bytes
 *     (at most 64 KiB) that name the connection and the round; answers {@code sent N}.
 * <li>{@code await N MILLIS}: waits until N echoes in all have come back whole and correct, or
 *     MILLIS have passed; answers {@code echoed COUNT MILLIS}.
 * <li>{@code close-echoed}: closes the connections whose echo came back and that have no other
 *     outstanding; answers {@code closed N}.
 * <li>{@code close}: closes every connection; answers {@code closed N}.
 * </ul>
 * End of input ends the process.
 */
public final class LoadClient {
    private static final int CONNECTING_AT_ONCE = 256;
    private static final int MAX_SIZE = 64 * 1024;

    private final InetSocketAddress server;
    private final Selector selector;
    private final List<Connection> connections = new ArrayList<>();
    private long echoed;
    private int round;

    /**
     * One connection: what was sent in the current round, and how much of its echo came back. Its
     * buffers are as large as the largest round so far: ten thousand connections of 64 KiB
     * buffers would not fit the client's heap.
     */
    private static final class Connection {
        final int index;
        final SocketChannel channel;
        ByteBuffer out = ByteBuffer.allocate(0);
        ByteBuffer in = ByteBuffer.allocate(0);
        boolean outstanding;
        boolean echoedOnce;

        Connection(int index, SocketChannel channel) {
            this.index = index;
            this.channel = channel;
        }
    }

    private LoadClient(InetSocketAddress server) throws IOException {
        this.server = server;
        this.selector = Selector.open();
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        LoadClient client = new LoadClient(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            try {
                out.println(client.run(line.trim().split(" ")));
            } catch (IOException | RuntimeException e) {
                out.println("error " + line + ": " + e);
                System.exit(1);
            }
        }
    }

    private String run(String[] command) throws IOException {
        return switch (command[0]) {
            case "open" -> open(Integer.parseInt(command[1]));
            case "send" -> send(Integer.parseInt(command[1]));
            case "await" -> await(Long.parseLong(command[1]), Long.parseLong(command[2]));
            case "close-echoed" -> close(true);
            case "close" -> close(false);
            default -> throw new IllegalArgumentException("unknown command " + command[0]);
        };
    }

    private String open(int n) throws IOException {
        long start = System.nanoTime();
        int connecting = 0;
        for (int i = 0; i < n || connecting > 0; ) {
            while (i < n && connecting < CONNECTING_AT_ONCE) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                Connection c = new Connection(connections.size(), ch);
                connections.add(c);
                i++;
                if (!ch.connect(server)) {
                    ch.register(selector, SelectionKey.OP_CONNECT, c);
                    connecting++;
                }
            }
            selector.select();
            for (SelectionKey k : selector.selectedKeys()) {
                if (k.isConnectable() && ((SocketChannel) k.channel()).finishConnect()) {
                    k.interestOps(0);
                    connecting--;
                }
            }
            selector.selectedKeys().clear();
        }
        return "opened " + connections.size() + " " + millisSince(start);
    }

    private String send(int size) throws IOException {
        if (size <= 0 || size > MAX_SIZE) {
            throw new IllegalArgumentException("send takes 1 to " + MAX_SIZE + " bytes, not " + size);
        }
        round++;
        int sent = 0;
        for (Connection c : connections) {
            if (!c.channel.isOpen() || c.outstanding) {
                continue;
            }
            if (c.out.capacity() < size) {
                c.out = ByteBuffer.allocate(size);
                c.in = ByteBuffer.allocate(size);
            }
            c.out.clear().limit(size);
            for (int i = 0; i < size; i++) {
                c.out.put(patternByte(c.index, round, i));
            }
            c.out.flip();
            c.in.clear().limit(size);
            c.outstanding = true;
            c.echoedOnce = false;
            c.channel.write(c.out);
            SelectionKey k = c.channel.keyFor(selector);
            int ops = SelectionKey.OP_READ | (c.out.hasRemaining() ? SelectionKey.OP_WRITE : 0);
            if (k == null) {
                c.channel.register(selector, ops, c);
            } else {
                k.interestOps(ops);
            }
            sent++;
        }
        return "sent " + sent;
    }

    private String await(long target, long millis) throws IOException {
        long start = System.nanoTime();
        long deadline = start + millis * 1_000_000;
        while (echoed < target) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            selector.select(left);
            for (SelectionKey k : selector.selectedKeys()) {
                progress(k);
            }
            selector.selectedKeys().clear();
        }
        return "echoed " + echoed + " " + millisSince(start);
    }

    private void progress(SelectionKey k) throws IOException {
        Connection c = (Connection) k.attachment();
        if (k.isWritable()) {
            c.channel.write(c.out);
            if (!c.out.hasRemaining()) {
                k.interestOps(SelectionKey.OP_READ);
            }
        }
        if (k.isReadable()) {
            int n = c.channel.read(c.in);
            if (n < 0) {
                throw new IOException("connection " + c.index + " ended after " + c.in.position() + " of "
                        + c.in.limit() + " echoed bytes");
            }
            if (!c.in.hasRemaining()) {
                c.in.flip();
                for (int i = 0; c.in.hasRemaining(); i++) {
                    byte b = c.in.get();
                    if (b != patternByte(c.index, round, i)) {
                        throw new IOException("connection " + c.index + ": echoed byte " + i + " is wrong");
                    }
                }
                c.outstanding = false;
                c.echoedOnce = true;
                echoed++;
                k.interestOps(0);
            }
        }
    }

    private String close(boolean onlyEchoed) throws IOException {
        int closed = 0;
        for (Connection c : connections) {
            if (c.channel.isOpen() && (!onlyEchoed || (c.echoedOnce && !c.outstanding))) {
                c.channel.close();
                closed++;
            }
        }
        selector.selectNow();
        return "closed " + closed;
    }

    private static byte patternByte(int connection, int round, int i) {
        return (byte) (connection * 31 + round * 7 + i);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
