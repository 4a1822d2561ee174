package dev.kyoto.bench.net;

import java.net.InetSocketAddress;

/**
 * One stack's echo server, as the network benchmarks run it: bound to a loopback address, with
 * a fixed number of I/O threads, giving every connection its bytes back until the peer closes.
 * Each implementation is written the way that stack's own documentation writes an echo server.
 */
interface EchoServer extends AutoCloseable {
    /**
     * What the servers that choose their own buffer read at most at a time: 64 KiB, the ceiling
     * of the adaptive receive buffers Netty sizes for itself, so no server is held to smaller
     * reads and writes than Netty's on the streaming scenario.
     */
    int BUFFER_SIZE = 64 * 1024;

    /**
     * Starts serving on {@code address} (port 0 picks one) with {@code workers} I/O threads, and
     * returns once the socket listens.
     *
     * @return the address it listens on
     */
    InetSocketAddress start(InetSocketAddress address, int workers) throws Exception;

    /** Serves until the process is killed; the servers' own threads serve, the caller waits. */
    default void serve() throws Exception {
        Thread.currentThread().join();
    }
}
