package dev.kyoto.bench.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;

/**
 * Netty 4.2's echo server on one of its transports: one {@link MultiThreadIoEventLoopGroup} of
 * {@code workers} event loops that accepts and serves (as Netty 4.2's echo example does), the
 * shared {@link NettyEchoHandler}, {@code TCP_NODELAY} on every connection, the default pooled
 * allocator. With TLS, each connection's pipeline is the {@code SslHandler} first, then the same
 * echo handler (Netty's secure echo example).
 */
final class NettyEchoServer implements EchoServer {
    private final NettyTransport transport;
    private final SslContext tls;
    private EventLoopGroup group;
    private Channel channel;

    /** A plain echo server. */
    NettyEchoServer(NettyTransport transport) {
        this(transport, null);
    }

    /** An echo server that speaks TLS through {@code tls}'s handlers, or plain TCP if it is null. */
    NettyEchoServer(NettyTransport transport, SslContext tls) {
        this.transport = transport;
        this.tls = tls;
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
                .childHandler(tls == null ? handler : new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(tls.newHandler(ch.alloc()), handler);
                    }
                })
                .bind(address).sync().channel();
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully().sync();
    }
}
