package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.MembershipKey;
import java.util.Optional;

/**
 * What a {@link UdpSocket} stands on: a JDK channel on the runtime's reactor
 * ({@link ChannelUdp}), or a socket the runtime's driver owns ({@link DriverUdp}), chosen as the
 * socket is bound. {@code UdpSocket} checks its arguments; a handle is given only addresses the
 * socket may use. A {@code target} of null means the connected peer.
 */
sealed interface UdpHandle permits ChannelUdp, DriverUdp {

    /** A receive or peek on the multi-waiter path; {@code dst} null: a peek for the sender only. */
    <R> Async<R> recv(ByteBuffer dst, boolean peek, DatagramRecv.Result<R> result);

    /** A receive or peek that does not wait: the sender, or null if no datagram was ready. */
    InetSocketAddress tryRecvFrom(ByteBuffer dst, boolean peek) throws IOException;

    /** A receive or peek on the single-slot path, for hand-written computations. */
    Poll<InetSocketAddress> pollRecvFrom(Context cx, ByteBuffer dst, boolean peek) throws IOException;

    /** A send on the multi-waiter path: completes with the datagram's length. */
    Async<Integer> send(ByteBuffer src, InetSocketAddress target);

    /** A send that does not wait: false if the send buffer had no room. */
    boolean trySend(ByteBuffer src, InetSocketAddress target) throws IOException;

    /** A send on the single-slot path. */
    Poll<Integer> pollSend(Context cx, ByteBuffer src, InetSocketAddress target) throws IOException;

    Poll<Ready> pollRecvReady(Context cx) throws IOException;

    Poll<Ready> pollSendReady(Context cx) throws IOException;

    Async<Ready> ready(Interest interest);

    /** Connects to {@code peer}, discarding what is queued: the local address after it. */
    InetSocketAddress connect(InetSocketAddress peer) throws IOException;

    <T> T option(SocketOption<T> name) throws IOException;

    <T> void setOption(SocketOption<T> name, T value) throws IOException;

    int ttl() throws IOException;

    void setTtl(int ttl) throws IOException;

    Optional<IOException> takeError() throws IOException;

    /** Joins {@code group} on {@code nif}; joined already, the key it has. */
    MembershipKey join(InetAddress group, NetworkInterface nif) throws IOException;

    /** Closes the socket: waiters fail with "socket closed"; idempotent. */
    void close() throws IOException;
}
