package dev.kyoto.examples.redis;

import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.RespCodec;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A blocking Redis client on a plain JDK socket, for the tests: it writes commands as RESP
 * multibulks of its own making and reads replies with {@link RespCodec#replies()}. Reads time out
 * after 30 s, so a server that never answers fails the test instead of hanging it.
 */
final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final RespCodec codec = RespCodec.replies();
    private byte[] data = new byte[64 * 1024];
    private int start;
    private int end;

    RespClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends a command and reads its reply. */
    Frame call(String... args) throws IOException {
        send(args);
        return read();
    }

    void send(String... args) throws IOException {
        out.write(encode(args));
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    /** Reads the next reply; fails with EOFException if the server closed the connection first. */
    Frame read() throws IOException {
        while (true) {
            ByteBuffer src = ByteBuffer.wrap(data, start, end - start);
            Frame f = codec.decode(src);
            if (f != null) {
                start = src.position();
                return f;
            }
            if (fill() < 0) {
                throw new EOFException("the server closed the connection" + (end > start ? " after a partial reply" : ""));
            }
        }
    }

    /** Whether the server closed the connection, once every reply before was read. */
    boolean closedByServer() throws IOException {
        if (end > start) {
            return false;
        }
        try {
            return fill() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            // A reset is a close too.
            return true;
        }
    }

    /** Reads and drops everything until the server closes the connection; false if it did not within the read timeout. */
    boolean drainUntilClosed() throws IOException {
        byte[] scratch = new byte[64 * 1024];
        start = end;
        try {
            int n;
            do {
                n = in.read(scratch);
            } while (n >= 0);
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private int fill() throws IOException {
        if (end == data.length) {
            if (start > 0) {
                System.arraycopy(data, start, data, 0, end - start);
                end -= start;
                start = 0;
            } else {
                data = Arrays.copyOf(data, data.length * 2);
            }
        }
        int n = in.read(data, end, data.length - end);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    /** Ends the stream to the server: the server sees the end of its client's commands. */
    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
