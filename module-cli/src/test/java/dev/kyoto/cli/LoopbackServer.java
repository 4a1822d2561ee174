package dev.kyoto.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A blocking test server on 127.0.0.1 that treats every connection the same way, each on its own
 * daemon thread: a peer for {@code kyoto bench --target} that is not Kyoto.
 */
final class LoopbackServer implements AutoCloseable {
    /** What the server does with the bytes of one connection. */
    interface Behaviour {
        void serve(InputStream in, OutputStream out) throws IOException;
    }

    /** Sends every byte back. */
    static final Behaviour ECHO = InputStream::transferTo;

    /** Reads everything and answers nothing. */
    static final Behaviour SILENT = (in, out) -> in.transferTo(OutputStream.nullOutputStream());

    /** Answers every chunk with as many bytes, all of them 'x'. */
    static final Behaviour GARBLED = (in, out) -> {
        byte[] chunk = new byte[8192];
        for (int n; (n = in.read(chunk)) > 0;) {
            out.write("x".repeat(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
    };

    private final ServerSocket socket;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();

    private LoopbackServer(ServerSocket socket, Behaviour behaviour) {
        this.socket = socket;
        Thread.ofPlatform().daemon().start(() -> acceptAll(behaviour));
    }

    static LoopbackServer start(Behaviour behaviour) throws IOException {
        return new LoopbackServer(new ServerSocket(0, 1024, InetAddress.getLoopbackAddress()), behaviour);
    }

    /** {@code 127.0.0.1:PORT}. */
    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    private void acceptAll(Behaviour behaviour) {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                accepted.add(s);
                Thread.ofPlatform().daemon().start(() -> {
                    try (s) {
                        behaviour.serve(s.getInputStream(), s.getOutputStream());
                    } catch (IOException e) {
                        // The client went away; what the test checks is the command's output.
                    }
                });
            } catch (IOException e) {
                // Closed by close(): the loop condition ends it.
            }
        }
    }

    /** Closes the listening socket and every accepted connection, which ends their threads. */
    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : accepted) {
            s.close();
        }
    }
}
