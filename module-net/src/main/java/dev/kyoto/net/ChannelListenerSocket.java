package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.spi.ListenerSocket;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listener on a JDK {@link ServerSocketChannel} registered with the runtime's selector. */
final class ChannelListenerSocket implements ListenerSocket {
    private static final Interest READ_WRITE = Interest.READABLE.add(Interest.WRITABLE);

    private final PollEvented<ServerSocketChannel> io;
    private final SocketAddress local;

    /** Takes over a bound socket's registration; closes it if the socket was closed under it. */
    ChannelListenerSocket(PollEvented<ServerSocketChannel> io) throws IOException {
        this.io = io;
        this.local = Registered.address(io, ServerSocketChannel::getLocalAddress, SocketAddress.class);
    }

    @Override
    public Async<StreamSocket> accept() {
        return io.asyncIo(Interest.READABLE, ServerSocketChannel::accept).map(ChannelListenerSocket::adopt);
    }

    @Override
    public Poll<StreamSocket> pollAccept(Context cx) throws IOException {
        Poll<SocketChannel> p = io.pollReadIo(cx, ServerSocketChannel::accept);
        return p.isPending() ? Poll.pending() : Poll.ready(adopt(p.value()));
    }

    /** Registers an accepted channel; closes it if that fails, so nothing leaks. */
    private static StreamSocket adopt(SocketChannel ch) throws IOException {
        return new ChannelStreamSocket(Registered.orClosed(ch, READ_WRITE));
    }

    @Override
    public SocketAddress localAddress() {
        return local;
    }

    @Override
    public void close() throws IOException {
        io.close();
    }
}
