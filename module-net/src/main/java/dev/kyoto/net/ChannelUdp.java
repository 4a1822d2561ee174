package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.NeedsOwnSockets;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.Optional;

/**
 * A {@link UdpSocket} on a JDK {@link DatagramChannel} registered with the runtime's reactor. The
 * JDK cannot peek, so a peek takes the datagram off the channel into the {@link PeekSlot}, which
 * every receive and readiness wait looks at first.
 */
final class ChannelUdp implements UdpHandle {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    // io and slot are package-private for the white-box tests of the slot's wake-ups.
    final PollEvented<DatagramChannel> io;
    final PeekSlot slot = new PeekSlot();

    private ChannelUdp(PollEvented<DatagramChannel> io) {
        this.io = io;
    }

    /**
     * Opens, binds and registers a channel; a failure at any step closes it.
     *
     * @return the handle and the address bound to
     */
    static ChannelUdp bind(InetSocketAddress address) throws IOException {
        DatagramChannel ch = DatagramChannel.open(
                address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            try {
                ch.bind(address);
            } catch (IOException e) {
                throw AddressedErrors.bindFailed(address, e);
            }
            return new ChannelUdp(PollEvented.register(ch, READ_WRITE));
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) io.channel().getLocalAddress();
    }

    @Override
    public <R> Async<R> recv(ByteBuffer dst, boolean peek, DatagramRecv.Result<R> result) {
        return new DatagramRecv<>(io, slot, dst, peek, result);
    }

    @Override
    public InetSocketAddress tryRecvFrom(ByteBuffer dst, boolean peek) throws IOException {
        if (slot.isFull()) {
            InetSocketAddress held = peek ? slot.peek(io.channel(), dst) : slot.take(dst);
            if (held != null) {
                return held;
            }
        }
        return io.tryIo(DatagramRecv.READ_OR_ERROR, DatagramRecv.operation(slot, dst, peek));
    }

    /**
     * The single-slot receive: the held datagram first, else the socket when readable. A pending
     * poll also leaves its waker with the slot, for the reason given in {@link PeekSlot}.
     */
    @Override
    public Poll<InetSocketAddress> pollRecvFrom(Context cx, ByteBuffer dst, boolean peek) throws IOException {
        InetSocketAddress from = fromSlot(dst, peek);
        if (from != null) {
            return Poll.ready(from);
        }
        Poll<InetSocketAddress> p = io.pollReadIo(cx, DatagramRecv.operation(slot, dst, peek));
        if (p.isReady()) {
            return p;
        }
        slot.setPollReader(cx.waker());
        from = fromSlot(dst, peek);
        return from != null ? Poll.ready(from) : Poll.pending();
    }

    private InetSocketAddress fromSlot(ByteBuffer dst, boolean peek) throws IOException {
        if (!slot.isFull()) {
            return null;
        }
        return peek ? slot.peek(io.channel(), dst) : slot.take(dst);
    }

    @Override
    public Async<Integer> send(ByteBuffer src, InetSocketAddress target) {
        return io.asyncIo(Interest.WRITABLE, ch -> sendOnce(ch, src, target));
    }

    @Override
    public boolean trySend(ByteBuffer src, InetSocketAddress target) throws IOException {
        return io.tryIo(Interest.WRITABLE, ch -> sendOnce(ch, src, target)) != null;
    }

    @Override
    public Poll<Integer> pollSend(Context cx, ByteBuffer src, InetSocketAddress target) throws IOException {
        return io.pollWriteIo(cx, ch -> sendOnce(ch, src, target));
    }

    /**
     * One send attempt: null when the send buffer has no room. The JDK reports that as 0 bytes
     * sent, which for an empty datagram would be ambiguous; an empty datagram is taken as sent.
     */
    private static Integer sendOnce(DatagramChannel ch, ByteBuffer src, InetSocketAddress target) throws IOException {
        DatagramTargets.checkSend(ch.getRemoteAddress(), src, target);
        int length = src.remaining();
        int n = target == null ? ch.write(src) : ch.send(src, target);
        return n == 0 && length > 0 ? null : n;
    }

    /** Read readiness on the single-slot path (a datagram held by a peek counts), or pending. */
    @Override
    public Poll<Ready> pollRecvReady(Context cx) throws IOException {
        if (slot.isFull()) {
            return Poll.ready(Ready.READABLE);
        }
        Poll<Ready> p = io.pollReadReady(cx);
        if (p.isReady()) {
            return p;
        }
        slot.setPollReader(cx.waker());
        return slot.isFull() ? Poll.ready(Ready.READABLE) : Poll.pending();
    }

    @Override
    public Poll<Ready> pollSendReady(Context cx) throws IOException {
        return io.pollWriteReady(cx);
    }

    @Override
    public Async<Ready> ready(Interest interest) {
        return new DatagramReady(io, slot, interest);
    }

    /** Connects the channel; the JDK discards the queued datagrams, so the held one goes too. */
    @Override
    public InetSocketAddress connect(InetSocketAddress peer) throws IOException {
        DatagramChannel ch = io.channel();
        ch.connect(peer);
        slot.clear();
        return (InetSocketAddress) ch.getLocalAddress();
    }

    @Override
    public <T> T option(SocketOption<T> name) throws IOException {
        return io.channel().getOption(name);
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        io.channel().setOption(name, value);
    }

    @Override
    public int ttl() {
        throw NeedsOwnSockets.error("Reading a UDP socket's IP_TTL", "the JDK has no socket option for it");
    }

    @Override
    public void setTtl(int ttl) {
        throw NeedsOwnSockets.error("Setting a UDP socket's IP_TTL", "the JDK has no socket option for it");
    }

    @Override
    public Optional<IOException> takeError() {
        throw NeedsOwnSockets.error("Taking a UDP socket's SO_ERROR", "the JDK cannot read a socket's pending error");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface nif) throws IOException {
        return io.channel().join(group, nif);
    }

    /** Deregisters and closes the channel, and discards a datagram held by a peek. */
    @Override
    public void close() throws IOException {
        try {
            io.close();
        } finally {
            // After the channel is closed no peek can fill the slot again.
            slot.clear();
        }
    }
}
