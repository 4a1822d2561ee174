package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * The connect state machine: resolve, then try each address in order; the first success wins,
 * and if every address fails the last error is thrown. A failed or abandoned attempt closes its
 * socket before the next begins. {@link TcpConnector} is the concurrent upgrade.
 */
final class Connect implements Async<TcpStream> {
    private Async<List<InetSocketAddress>> resolving;
    private List<InetSocketAddress> addresses;
    private int next;
    private ConnectAttempt attempt;
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
                InetSocketAddress address = addresses.get(next++);
                try {
                    attempt = ConnectAttempt.start(address);
                } catch (IOException e) {
                    lastError = e;
                    continue;
                }
            }
            Poll<TcpStream> connected;
            try {
                connected = attempt.poll(cx);
            } catch (IOException e) {
                lastError = e;
                closeAttempt();
                continue;
            }
            if (connected.isReady()) {
                attempt = null;
            }
            return connected;
        }
    }

    /** A socket of the address's family. */
    static SocketChannel open(InetSocketAddress address) throws IOException {
        return SocketChannel.open(address.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    }

    private void closeAttempt() {
        IOException e = attempt.close();
        attempt = null;
        if (e != null && lastError != null) {
            lastError.addSuppressed(e);
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
