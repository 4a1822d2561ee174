package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.time.Sleep;
import dev.kyoto.runtime.time.Time;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The connect race of RFC 8305 (Happy Eyeballs v2), as one state machine polled by one task:
 * resolve; order the addresses by {@link #interleave}; start the first attempt; start the next
 * one when the attempt delay has passed since the last start, or at once when an attempt fails;
 * the first attempt to connect wins and every other one is closed. When every attempt has failed
 * the error carries each attempt's failure as a suppressed exception, in the order they were
 * started.
 *
 * <p>Attempts are {@link ConnectAttempt}s, each with its own registration, so each keeps this
 * task as its writer; the delay is one {@link Sleep}. Finishing in any way (winning, failing,
 * being cancelled) closes every attempt still running.
 */
final class HappyEyeballs implements Async<TcpStream> {
    private final Object target;
    private final Duration attemptDelay;
    private final InetSocketAddress localAddress;
    private final TcpSocketOptions options;
    private Async<List<InetSocketAddress>> resolving;
    private List<InetSocketAddress> order;
    private int next;
    /** Attempts in flight, oldest first. */
    private final List<ConnectAttempt> running = new ArrayList<>(2);
    /** Failed attempts, in the order they were started: the addresses and their errors. */
    private final List<InetSocketAddress> failedAddresses = new ArrayList<>(2);
    private final List<IOException> failures = new ArrayList<>(2);
    private Sleep delay;
    /** Set by a failure: the next attempt starts now instead of after the delay. */
    private boolean startNow;

    HappyEyeballs(Async<List<InetSocketAddress>> resolving, Object target, Duration attemptDelay,
            InetSocketAddress localAddress, TcpSocketOptions options) {
        this.resolving = resolving;
        this.target = target;
        this.attemptDelay = attemptDelay;
        this.localAddress = localAddress;
        this.options = options;
    }

    /**
     * RFC 8305 section 4: the family of the first address goes first, then the families
     * alternate (a "First Address Family Count" of one); within a family the given order is kept,
     * and when one family runs out the rest of the other follows.
     */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> addresses) {
        if (addresses.size() < 2) {
            return addresses;
        }
        boolean firstIsV6 = isV6(addresses.get(0));
        List<InetSocketAddress> first = new ArrayList<>(addresses.size());
        List<InetSocketAddress> other = new ArrayList<>(addresses.size());
        for (InetSocketAddress a : addresses) {
            (isV6(a) == firstIsV6 ? first : other).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>(addresses.size());
        for (int i = 0; i < Math.max(first.size(), other.size()); i++) {
            if (i < first.size()) {
                out.add(first.get(i));
            }
            if (i < other.size()) {
                out.add(other.get(i));
            }
        }
        return List.copyOf(out);
    }

    private static boolean isV6(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address;
    }

    @Override
    public Poll<TcpStream> poll(Context cx) throws Exception {
        try {
            return race(cx);
        } catch (Exception | Error e) {
            // A computation that threw is never cancelled: release the sockets here.
            finish();
            throw e;
        }
    }

    private Poll<TcpStream> race(Context cx) throws Exception {
        if (order == null) {
            // Fail the same way with one address or many: the delay needs timers.
            Time.now();
            Poll<List<InetSocketAddress>> p = resolving.poll(cx);
            if (p.isPending()) {
                return Poll.pending();
            }
            resolving = null;
            order = interleave(eligible(p.value()));
            startNow = true;
        }
        for (;;) {
            while (startNow && next < order.size()) {
                startNow = !startAttempt();
            }
            startNow = false;
            for (int i = 0; i < running.size(); ) {
                ConnectAttempt attempt = running.get(i);
                Poll<TcpStream> p;
                try {
                    p = attempt.poll(cx);
                } catch (IOException e) {
                    running.remove(i);
                    failed(attempt.address(), e, attempt.close());
                    startNow = true;
                    continue;
                }
                if (p.isReady()) {
                    running.remove(i);
                    finish();
                    return p;
                }
                i++;
            }
            if (running.isEmpty()) {
                // Nothing is left to wait for: start the next attempt now, or the race is lost.
                if (next == order.size()) {
                    throw allFailed();
                }
                startNow = true;
            }
            if (startNow && next < order.size()) {
                continue;
            }
            startNow = false;
            if (next < order.size() && delay.poll(cx).isReady()) {
                startNow = true;
                continue;
            }
            return Poll.pending();
        }
    }

    /** The addresses an attempt can use: all of them, or those of the local address's family. */
    private List<InetSocketAddress> eligible(List<InetSocketAddress> resolved) throws IOException {
        if (resolved.isEmpty()) {
            throw new IOException("could not resolve to any address");
        }
        if (localAddress == null) {
            return resolved;
        }
        boolean v6 = isV6(localAddress);
        List<InetSocketAddress> usable = new ArrayList<>(resolved.size());
        for (InetSocketAddress a : resolved) {
            if (isV6(a) == v6) {
                usable.add(a);
            }
        }
        if (usable.isEmpty()) {
            throw new IOException("cannot connect to " + target + ": none of its addresses " + resolved + " is "
                    + (v6 ? "IPv6" : "IPv4") + ", the family of the connector's local address " + localAddress
                    + "; give the connector a local address of the target's family, or none");
        }
        return usable;
    }

    /**
     * Starts the next address's attempt on a fresh socket with the connector's options and local
     * address, and restarts the delay. A socket that cannot even start (an option refused, the
     * local address in use, no route) counts as a failed attempt.
     *
     * @return whether the attempt started
     */
    private boolean startAttempt() {
        InetSocketAddress address = order.get(next++);
        TcpSocket socket = null;
        try {
            socket = TcpSocket.forAddress(address);
            options.configure(socket);
            if (localAddress != null) {
                socket.bind(localAddress);
            }
            running.add(socket.take("TcpConnector").connect(address));
        } catch (IOException e) {
            failed(address, e, closeQuietly(socket));
            return false;
        } catch (RuntimeException e) {
            IOException closing = closeQuietly(socket);
            if (closing != null) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        if (next < order.size()) {
            if (delay == null) {
                delay = Time.sleep(attemptDelay);
            } else {
                delay.reset(attemptDelay);
            }
        }
        return true;
    }

    private static IOException closeQuietly(TcpSocket socket) {
        if (socket == null) {
            return null;
        }
        try {
            socket.close();
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    private void failed(InetSocketAddress address, IOException error, IOException closing) {
        if (closing != null) {
            error.addSuppressed(closing);
        }
        failedAddresses.add(address);
        failures.add(error);
    }

    /** One error for the whole race: a ConnectException if every attempt was refused, naming each address. */
    private IOException allFailed() {
        StringBuilder why = new StringBuilder();
        boolean allRefused = true;
        for (int i = 0; i < failures.size(); i++) {
            why.append(i == 0 ? "" : "; ").append(failedAddresses.get(i)).append(": ")
                    .append(AddressedErrors.reason(failedAddresses.get(i), failures.get(i)));
            allRefused &= failures.get(i) instanceof ConnectException;
        }
        String message = "could not connect to " + target + ": " + (failures.size() == 1 ? "the attempt"
                : "all " + failures.size() + " attempts") + " failed (" + why + ")";
        IOException e = allRefused ? new ConnectException(message) : new IOException(message);
        for (IOException f : failures) {
            e.addSuppressed(f);
        }
        return e;
    }

    /** The failures of attempts so far, in the order they were started, for a timeout to report. */
    List<IOException> failures() {
        return List.copyOf(failures);
    }

    /** How many attempts were started (including those that failed at once); for tests. */
    int attemptsStarted() {
        return next;
    }

    /** How many attempts are connecting now; for tests. */
    int attemptsRunning() {
        return running.size();
    }

    /** Closes every attempt still running and stops the delay. */
    private void finish() {
        for (ConnectAttempt a : running) {
            a.close();
        }
        running.clear();
        if (delay != null) {
            delay.cancel();
        }
    }

    @Override
    public void cancel() {
        if (resolving != null) {
            resolving.cancel();
            resolving = null;
        }
        finish();
    }

    @Override
    public String toString() {
        return "HappyEyeballs[" + target + ", " + next + " of " + (order == null ? "?" : order.size())
                + " started, " + running.size() + " running]";
    }
}
