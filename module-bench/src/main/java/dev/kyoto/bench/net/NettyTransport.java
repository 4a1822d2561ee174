package dev.kyoto.bench.net;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;

/** Netty 4.2's three Linux transports: an {@code IoHandler} factory and the server channel that goes with it. */
enum NettyTransport {
    NIO {
        @Override
        IoHandlerFactory handlerFactory() {
            return NioIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return NioServerSocketChannel.class;
        }

        @Override
        Throwable unavailabilityCause() {
            return null;
        }
    },
    EPOLL {
        @Override
        IoHandlerFactory handlerFactory() {
            return EpollIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return EpollServerSocketChannel.class;
        }

        @Override
        Throwable unavailabilityCause() {
            return Epoll.unavailabilityCause();
        }
    },
    IO_URING {
        @Override
        IoHandlerFactory handlerFactory() {
            return IoUringIoHandler.newFactory();
        }

        @Override
        Class<? extends ServerChannel> serverChannel() {
            return IoUringServerSocketChannel.class;
        }

        @Override
        Throwable unavailabilityCause() {
            return IoUring.unavailabilityCause();
        }
    };

    abstract IoHandlerFactory handlerFactory();

    abstract Class<? extends ServerChannel> serverChannel();

    /** Why the native transport cannot load here, in Netty's words; null if it can. */
    abstract Throwable unavailabilityCause();
}
