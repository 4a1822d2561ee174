package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import dev.kyoto.io.Ready;
import dev.kyoto.io.spi.StreamSocket;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A TCP connection on a JDK {@link SocketChannel} registered with the runtime's selector (or a
 * native driver's companion selector): the stream socket of every runtime whose driver does not
 * own sockets, and of {@link TcpStream#from(SocketChannel)}.
 */
final class ChannelStreamSocket implements StreamSocket {
    final PollEvented<SocketChannel> io;

    ChannelStreamSocket(PollEvented<SocketChannel> io) {
        this.io = io;
    }

    @Override
    public Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        return io.pollRead(cx, dst);
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        return io.pollWrite(cx, src);
    }

    @Override
    public Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        return io.pollWriteVectored(cx, srcs);
    }

    @Override
    public int tryRead(ByteBuffer dst) throws IOException {
        Integer n = io.tryIo(Interest.READABLE, ch -> {
            int r = ch.read(dst);
            return r == 0 && dst.hasRemaining() ? null : r;
        });
        return n == null ? 0 : n;
    }

    @Override
    public int tryWrite(ByteBuffer src) throws IOException {
        Integer n = io.tryIo(Interest.WRITABLE, ch -> {
            int w = ch.write(src);
            return w == 0 && src.hasRemaining() ? null : w;
        });
        return n == null ? 0 : n;
    }

    @Override
    public Async<Ready> ready(Interest interest) {
        return io.ready(interest);
    }

    @Override
    public Poll<Ready> pollReadReady(Context cx) throws IOException {
        return io.pollReadReady(cx);
    }

    @Override
    public Poll<Ready> pollWriteReady(Context cx) throws IOException {
        return io.pollWriteReady(cx);
    }

    @Override
    public void shutdownOutput() throws IOException {
        io.channel().shutdownOutput();
    }

    @Override
    public <T> void setOption(SocketOption<T> name, T value) throws IOException {
        io.channel().setOption(name, value);
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return io.channel().getOption(name);
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return Registered.address(io, SocketChannel::getLocalAddress, SocketAddress.class);
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return Registered.address(io, SocketChannel::getRemoteAddress, SocketAddress.class);
    }

    @Override
    public boolean isOpen() {
        return io.channel().isOpen();
    }

    @Override
    public void close() throws IOException {
        io.close();
    }

    @Override
    public String toString() {
        return io.channel().toString();
    }
}
