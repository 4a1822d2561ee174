package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * The connect state machine: resolve, then try each address in order; the first success wins,
 * and if every address fails the last error is thrown. A failed or abandoned attempt closes its
 * socket before the next begins.
 */
final class Connect implements Async<TcpStream> {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    private Async<List<InetSocketAddress>> resolving;
    private List<InetSocketAddress> addresses;
    private int next;
    private PollEvented<SocketChannel> attempt;
    private IOException lastError;

    Connect(Async<List<InetSocketAddress>> resolving) {
        this.resolving = resolving;
    }

    @Override
    public Poll<TcpStream> poll(Context cx) throws Exception {
        if (addresses == null) {
            Poll<List<InetSocketAddress>> p = resolving.poll(cx);
            if (p.isPending()) {
                return Poll.pending();
            }
            addresses = p.value();
            resolving = null;
            if (addresses.isEmpty()) {
                throw new IOException("could not resolve to any address");
            }
        }
        for (;;) {
            if (attempt == null) {
                if (next == addresses.size()) {
                    throw lastError;
                }
                try {
                    attempt = start(addresses.get(next++));
                } catch (IOException e) {
                    lastError = e;
                    continue;
                }
            }
            Poll<Boolean> connected;
            try {
                connected = attempt.pollWriteIo(cx, ch -> ch.finishConnect() ? Boolean.TRUE : null);
            } catch (IOException e) {
                lastError = e;
                closeAttempt();
                continue;
            }
            if (connected.isPending()) {
                return Poll.pending();
            }
            TcpStream stream = new TcpStream(attempt);
            attempt = null;
            return Poll.ready(stream);
        }
    }

    /** Opens a non-blocking socket, starts connecting and registers it; closes it on any failure. */
    private static PollEvented<SocketChannel> start(InetSocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open(address.getAddress() instanceof java.net.Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            ch.configureBlocking(false);
            ch.connect(address);
            return PollEvented.register(ch, READ_WRITE);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void closeAttempt() {
        PollEvented<SocketChannel> a = attempt;
        attempt = null;
        try {
            a.close();
        } catch (IOException e) {
            if (lastError != null) {
                lastError.addSuppressed(e);
            }
        }
    }

    @Override
    public void cancel() {
        if (resolving != null) {
            resolving.cancel();
        }
        if (attempt != null) {
            closeAttempt();
        }
    }
}
