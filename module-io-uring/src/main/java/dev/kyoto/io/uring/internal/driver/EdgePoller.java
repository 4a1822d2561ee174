package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.uring.internal.sys.Epoll;
import dev.kyoto.io.uring.internal.sys.LibC;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * An epoll instance that one loop's streams are registered with, edge-triggered, so that a
 * stream submits its {@code RECV} only once bytes are there and the kernel completes it inline,
 * in the enter that submits it (on a busy ring: {@code kyoto.io.uring.edgesFrom}, see
 * {@link RingLoop#busy()}). A {@code RECV} submitted to an empty socket instead arms a poll
 * and is retried as task work of the thread that submitted it, which a shared ring runs on
 * whichever worker entered last, taking the ring's lock against the other worker's submissions:
 * under 1,000 busy connections that path cost 1.5 µs of kernel time per round trip, against
 * 0.1 µs for Netty's io_uring transport, which polls first and receives after
 * ({@code docs/design-notes.md}, "io_uring, seventh session").
 *
 * <p>Once a stream has registered, the loop keeps one {@code POLL_ADD} on the epoll instance's
 * descriptor in its ring (armed at each park, as the eventfd read is); its completion says some registered stream has had bytes
 * since the last {@link #drain}, which takes the instance's events without waiting and hands
 * each stream its edge. So readiness costs one ring completion and one {@code epoll_wait} per
 * batch of streams, not per stream, and a registration stands for the stream's life.
 *
 * <p>Only the loop's reaping thread calls {@link #drain} (under the loop's park lock);
 * {@link #register} may run on any thread (the kernel serializes {@code epoll_ctl}).
 */
final class EdgePoller {
    /** Events taken by one {@code epoll_wait}; a fuller batch is drained by another. */
    private static final int BATCH = 512;
    private static final int EVENTS = Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLET;

    private final int epfd;
    /** Freed by the collector: only the reaping thread writes it, within a drain. */
    private final MemorySegment events = Arena.ofAuto().allocate(Epoll.EVENT_SIZE * BATCH, 8);

    private EdgePoller(int epfd) {
        this.epfd = epfd;
    }

    static EdgePoller open() throws IOException {
        return new EdgePoller(Epoll.create());
    }

    /** The descriptor the loop's ring polls. */
    int fd() {
        return epfd;
    }

    /**
     * Registers a stream's socket, its edges reported with {@code slot}: false if the kernel
     * refuses (its limit on watches, {@code fs.epoll.max_user_watches}), and the stream then
     * receives as it did without edges.
     */
    boolean register(int fd, int slot) {
        return Epoll.add(epfd, fd, EVENTS, slot) == 0;
    }

    /** What {@link #drain} hands each edge to. */
    interface Edge {
        /**
         * @param slot the socket's slot
         * @param ended whether the peer has ended the stream or the socket has failed: a state
         *     that stays, unlike bytes, and that a receive returning bytes does not report
         */
        void edge(int slot, boolean ended);
    }

    /**
     * Hands {@code edge} the slot of every registered socket that became readable (or reached
     * its end, or failed) since the last drain. A slot may name a socket that took it over after
     * the one that had the edge closed: an edge too many costs that socket one receive that
     * finds nothing and waits as it would have without edges.
     */
    void drain(Edge edge) {
        int n;
        do {
            n = Epoll.poll(epfd, events, BATCH);
            for (int i = 0; i < n; i++) {
                boolean ended = (Epoll.events(events, i) & (Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0;
                edge.edge((int) Epoll.data(events, i), ended);
            }
        } while (n == BATCH);
    }

    void close() {
        LibC.close(epfd);
    }
}
