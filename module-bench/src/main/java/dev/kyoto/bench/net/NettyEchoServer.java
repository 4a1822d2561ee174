package dev.kyoto.bench.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's echo server on one of its transports: one {@link MultiThreadIoEventLoopGroup} of
 * {@code workers} event loops that accepts and serves (as Netty 4.2's echo example does), the
 * shared {@link NettyEchoHandler}, {@code TCP_NODELAY} on every connection, the default pooled
 * allocator.
 */
final class NettyEchoServer implements EchoServer {
    private final NettyTransport transport;
    private EventLoopGroup group;
    private Channel channel;

    NettyEchoServer(NettyTransport transport) {
        this.transport = transport;
    }

    @Override
    public InetSocketAddress start(InetSocketAddress address, int workers) throws Exception {
        Throwable cause = transport.unavailabilityCause();
        if (cause != null) {
            throw new UnavailableException(transport + " transport: " + cause, cause);
        }
        group = new MultiThreadIoEventLoopGroup(workers, transport.handlerFactory());
        NettyEchoHandler handler = new NettyEchoHandler();
        channel = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(handler)
                .bind(address).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully().sync();
    }
}
