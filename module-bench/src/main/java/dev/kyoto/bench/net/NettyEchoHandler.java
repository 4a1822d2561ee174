package dev.kyoto.bench.net;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Netty's own echo handler (its {@code example/echo/EchoServerHandler}): write each buffer read
 * back, flush once per batch of reads. The {@code ByteBuf} is handed to the write, which
 * releases it, so no copy and no garbage beyond Netty's pooled buffers.
 */
@ChannelHandler.Sharable
final class NettyEchoHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset connection ends only itself, as in every other server of the suite.
        ctx.close();
    }
}
