package dev.kyoto.tls;

import dev.kyoto.io.AsyncRead;
import dev.kyoto.io.AsyncWrite;
import dev.kyoto.io.BufferPool;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import dev.kyoto.runtime.Waker;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.cert.Certificate;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A TLS connection over a Kyoto stream: plaintext in and out through {@link AsyncRead} and
 * {@link AsyncWrite}, ciphertext to and from the stream beneath ({@link #inner()}). Made by
 * {@link TlsAcceptor#accept} and {@link TlsConnector#connect}, which complete once the handshake
 * has; {@code tokio-rustls}' {@code TlsStream}, on the JDK's {@link SSLEngine}.
 *
 * <pre>{@code
 * TlsAcceptor tls = TlsAcceptor.of(sslContext);
 * Async<Long> echo(TcpStream socket) {
 *     return tls.accept(socket).then(s -> Async.using(s, t -> Io.copy(t, t)));
 * }
 * }</pre>
 *
 * <h2>Reading</h2>
 * A read returns the plaintext of the records that arrived, -1 once the peer has sent
 * {@code close_notify} (a clean end), and fails with a {@link TlsTruncationException} if the
 * stream beneath ends without one, so a cut connection cannot pass for a complete one. Messages
 * TLS 1.3 sends after the handshake (session tickets, key updates) are handled inside the read.
 *
 * <h2>Writing and flushing</h2>
 * A write encrypts what it takes into records, up to {@value #MAX_RECORDS_PER_WRITE} of them
 * (64 KiB of plaintext), and hands them to the stream beneath in one write. If that stream is
 * full, the records wait in this stream's buffer, the write still reports its bytes taken, and
 * they go out on the next read, write or {@link #flush()} of this stream (a write waits until the
 * previous one's records are out, so at most one write's records wait). {@code flush()} and
 * {@link #shutdown()} wait until they are out; {@link dev.kyoto.io.Io#copy} and
 * {@code dev.kyoto.codec.Framed} flush for you. {@code shutdown()} sends {@code close_notify},
 * then shuts the stream beneath down, so the peer reads a clean end; reading goes on (TLS 1.3
 * half-close). TLS 1.2 has no half-close: the peer's {@code close_notify} closes this side's
 * output at once (RFC 5246 7.2.1), and bytes not yet written are lost, so over TLS 1.2 a peer
 * sends {@code close_notify} only once it expects nothing more.
 *
 * <h2>Memory</h2>
 * The engine's packet buffers (room for four records, 68 KiB, when reading or writing more than
 * one) are borrowed from a pool while records are in flight and given back when empty, so an idle TLS connection holds no buffer: what it costs
 * is the {@code SSLEngine} and its session. Decrypted bytes that did not fit the caller's buffer
 * are held until read.
 *
 * <h2>Tasks</h2>
 * As with a socket, one task may read while another writes: the methods are synchronized around
 * the engine, and a read that would write (a record a write left behind, a key update's answer)
 * leaves it to a writer that is waiting for the stream beneath, so as not to take that writer's
 * wake-up. One read and one write at a time, as for any stream.
 *
 * @param <S> the stream beneath
 */
public final class TlsStream<S extends AsyncRead & AsyncWrite> implements AsyncRead, AsyncWrite, AutoCloseable {
    /**
     * The size of the pooled packet buffers: room for the largest TLS record the JDK produces
     * without {@code jsse.SSLEngine.acceptLargeFragments} (16,709 bytes). A session that needs
     * more gets buffers of its own size.
     */
    static final int POOLED_PACKET_SIZE = 17 * 1024;
    private static final BufferPool PACKETS = BufferPool.heap(POOLED_PACKET_SIZE);
    /**
     * The most records one write encrypts before it hands them to the stream beneath in one
     * write: a write of more than a record's plaintext (16 KiB) borrows a buffer this many packets
     * large, so that a 20 KB reply leaves in one system call, not a full record and a small tail
     * (which Nagle's algorithm and the peer's delayed ACK can hold back 40 ms), as Netty's
     * {@code SslHandler} wraps everything flushed into one buffer.
     */
    static final int MAX_RECORDS_PER_WRITE = 4;
    private static final BufferPool BATCHES = BufferPool.heap(MAX_RECORDS_PER_WRITE * POOLED_PACKET_SIZE);
    private static final ByteBuffer[] NOTHING = {ByteBuffer.allocate(0)};
    /** A TLS record's content type for application data (RFC 8446 5.1; every TLS 1.3 record after the handshake). */
    private static final byte APPLICATION_DATA = 23;

    private final S inner;
    private final SSLEngine engine;
    /** Ciphertext read and not yet unwrapped, in read mode; null while there is none. */
    private ByteBuffer netIn;
    /** Ciphertext wrapped and not yet written, in read mode; null while there is none. */
    private ByteBuffer netOut;
    /** Plaintext unwrapped and not yet read, in read mode; null while there is none. */
    private ByteBuffer appIn;
    private boolean handshaken;
    private boolean outboundClosed;
    /** What {@link #pollWrite} hands the engine its one buffer in, reused so that a write allocates nothing. */
    private final ByteBuffer[] single = new ByteBuffer[1];
    /**
     * The waker of a write, flush or shutdown that is waiting for the stream beneath to take the
     * waiting record; null when none is. While one is, reads leave that record to it: a read that
     * wrote would put its own waker in the stream's one write slot, and the writer would never
     * wake.
     */
    private Waker writerWaiting;

    TlsStream(S inner, SSLEngine engine) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.engine = engine;
    }

    /** {@return the stream beneath, which carries the ciphertext} Reading or writing it directly breaks the connection. */
    public S inner() {
        return inner;
    }

    /** {@return the TLS session: protocol, cipher suite, peer} */
    public synchronized SSLSession session() {
        return engine.getSession();
    }

    /** {@return the protocol ALPN agreed on (such as {@code "h2"}), or null if none was} */
    public synchronized String applicationProtocol() {
        String p = engine.getApplicationProtocol();
        return p == null || p.isEmpty() ? null : p;
    }

    /**
     * The peer's certificate chain, its own certificate first: the server's, on a client; the
     * client's, on a server that asked for one.
     *
     * @return the chain, or an empty list if the peer sent none
     */
    public synchronized List<Certificate> peerCertificates() {
        try {
            return List.of(engine.getSession().getPeerCertificates());
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    @Override
    public synchronized Poll<Integer> pollRead(Context cx, ByteBuffer dst) throws IOException {
        if (!handshaken && pollHandshake(cx).isPending()) {
            return Poll.pending();
        }
        if (!dst.hasRemaining()) {
            return Poll.ready(0);
        }
        if (appIn != null) {
            return Poll.ready(drainAppIn(dst));
        }
        if (engine.isInboundDone()) {
            // Read to the end already: the write side is not this read's business any more.
            return Poll.ready(-1);
        }
        // A record a write left behind goes out now, so that a request written just before this
        // read reaches the peer; its wake-up, if the stream is full, is this task's too.
        answerEngine(cx);
        while (true) {
            if (engine.isInboundDone()) {
                return Poll.ready(-1);
            }
            if (netIn != null) {
                int appSize = engine.getSession().getApplicationBufferSize();
                ByteBuffer target = dst.remaining() >= appSize ? dst : borrow(appSize).clear();
                SSLEngineResult r = unwrap(target);
                int produced = r.bytesProduced();
                if (target != dst) {
                    target.flip();
                    appIn = target.hasRemaining() ? target : giveBack(target);
                }
                runTasks(r.getHandshakeStatus());
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    answerCloseNotify(cx);
                } else {
                    answerEngine(cx);
                }
                if (produced > 0) {
                    if (target != dst) {
                        return Poll.ready(drainAppIn(dst));
                    }
                    // More whole records already read go into the same buffer while a record fits:
                    // a copy then moves 64 KiB a turn, not 16. Only application data, though: an
                    // alert (TLS 1.2's close_notify) waits for the next read, because unwrapping it
                    // closes the engine's output in TLS 1.2, and the caller has yet to write what
                    // it just read.
                    while (r.getStatus() == SSLEngineResult.Status.OK && netIn != null && dst.remaining() >= appSize
                            && netIn.get(netIn.position()) == APPLICATION_DATA) {
                        r = unwrap(dst);
                        produced += r.bytesProduced();
                        runTasks(r.getHandshakeStatus());
                        answerEngine(cx);
                    }
                    return Poll.ready(produced);
                }
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    return Poll.ready(-1);
                }
                if (r.getStatus() == SSLEngineResult.Status.OK) {
                    continue;
                }
                // BUFFER_UNDERFLOW: a partial record; read more below.
            }
            Poll<Integer> more = readInner(cx);
            if (more.isPending()) {
                return Poll.pending();
            }
            if (more.value() < 0) {
                throw truncated("reading");
            }
        }
    }

    @Override
    public Poll<Integer> pollWrite(Context cx, ByteBuffer src) throws IOException {
        ByteBuffer[] one = single;
        one[0] = src;
        Poll<Long> p;
        try {
            p = pollWriteVectored(cx, one);
        } finally {
            one[0] = null;
        }
        return p.isPending() ? Poll.pending() : Poll.ready(p.value().intValue());
    }

    /** Encrypts as much of {@code srcs} as one record holds, in one wrap. */
    @Override
    public synchronized Poll<Long> pollWriteVectored(Context cx, ByteBuffer[] srcs) throws IOException {
        if (!handshaken && pollHandshake(cx).isPending()) {
            return Poll.pending();
        }
        if (outboundClosed) {
            throw new IOException("write after shutdown: this TLS stream has sent close_notify");
        }
        long total = 0;
        for (ByteBuffer b : srcs) {
            total += b.remaining();
        }
        if (total == 0) {
            return Poll.ready(0L);
        }
        SSLEngineResult r;
        do {
            // A record already waiting goes first; so does a handshake message the engine wraps
            // before any data (it then takes none of srcs, and we wrap again).
            if (writerWaitsFor(cx)) {
                return Poll.pending();
            }
            r = wrap(srcs);
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new IOException("the TLS engine's output is closed; the connection was shut down");
            }
            runTasks(r.getHandshakeStatus());
        } while (r.bytesConsumed() == 0);
        long consumed = r.bytesConsumed();
        int packet = engine.getSession().getPacketBufferSize();
        while (consumed < total && r.getStatus() == SSLEngineResult.Status.OK && netOut != null
                && netOut.capacity() - netOut.remaining() >= packet) {
            r = wrap(srcs);
            consumed += r.bytesConsumed();
            runTasks(r.getHandshakeStatus());
            if (r.bytesConsumed() == 0) {
                break;
            }
        }
        // Best effort: if the stream is full, the records wait for the next read, write or flush.
        writeOut(cx);
        return Poll.ready(consumed);
    }

    /** Writes out the record a write left behind, then flushes the stream beneath. */
    @Override
    public synchronized Poll<Void> pollFlush(Context cx) throws IOException {
        if (writerWaitsFor(cx)) {
            return Poll.pending();
        }
        return inner.pollFlush(cx);
    }

    /**
     * Sends {@code close_notify}, then shuts the stream beneath down: the peer reads a clean end
     * of stream. Reading goes on until the peer's own {@code close_notify}.
     */
    @Override
    public synchronized Poll<Void> pollShutdown(Context cx) throws IOException {
        if (!outboundClosed) {
            outboundClosed = true;
            engine.closeOutbound();
        }
        while (!engine.isOutboundDone()) {
            if (writerWaitsFor(cx)) {
                return Poll.pending();
            }
            wrap(NOTHING);
        }
        if (writerWaitsFor(cx)) {
            return Poll.pending();
        }
        return inner.pollShutdown(cx);
    }

    /**
     * Gives the buffers back and closes the stream beneath, if it is {@link AutoCloseable},
     * without {@code close_notify}: call {@link #shutdown()} first for a clean close.
     *
     * @throws Exception the stream's close failure
     */
    @Override
    public synchronized void close() throws Exception {
        netIn = giveBack(netIn);
        netOut = giveBack(netOut);
        appIn = giveBack(appIn);
        if (inner instanceof AutoCloseable c) {
            c.close();
        }
    }

    @Override
    public synchronized String toString() {
        return "TlsStream[" + inner + ", " + (handshaken ? engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite() : "handshaking") + "]";
    }

    /** Whether any buffer is held: none is while the connection is idle. */
    synchronized boolean holdsBuffers() {
        return netIn != null || netOut != null || appIn != null;
    }

    /**
     * Drives the handshake: wraps and writes our flights, reads and unwraps the peer's, runs the
     * engine's delegated tasks inline (as Netty's {@code SslHandler} does by default).
     */
    synchronized Poll<Void> pollHandshake(Context cx) throws IOException {
        while (!handshaken) {
            HandshakeStatus hs = engine.getHandshakeStatus();
            switch (hs) {
                case NEED_TASK -> runTasks(hs);
                case NEED_WRAP -> {
                    // Appended to what waits: a flight (ServerHello to Finished) leaves in one
                    // write when the engine next wants to read, not one write per message.
                    SSLEngineResult r = wrap(NOTHING);
                    if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                        // The engine gave up (and wrapped its alert): send it, then report.
                        writeOut(cx);
                        throw new SSLHandshakeException("the TLS handshake was closed by this side's engine");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (writeOut(cx).isPending()) {
                        return Poll.pending();
                    }
                    if (netIn != null) {
                        ByteBuffer scratch = borrow(engine.getSession().getApplicationBufferSize()).clear();
                        SSLEngineResult r = unwrap(scratch);
                        scratch.flip();
                        if (scratch.hasRemaining()) {
                            appIn = scratch;
                        } else {
                            giveBack(scratch);
                        }
                        if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                            throw new SSLHandshakeException("the peer closed the TLS connection during the handshake");
                        }
                        if (r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW) {
                            continue;
                        }
                    }
                    Poll<Integer> more = readInner(cx);
                    if (more.isPending()) {
                        return Poll.pending();
                    }
                    if (more.value() < 0) {
                        throw new SSLHandshakeException("the peer closed the connection during the TLS handshake"
                                + (netIn == null ? "" : ", " + netIn.remaining() + " bytes into a record")
                                + "; it may not speak TLS, or refused this side's parameters");
                    }
                }
                case FINISHED, NOT_HANDSHAKING -> {
                    if (writeOut(cx).isPending()) {
                        return Poll.pending();
                    }
                    HandshakeStatus now = engine.getHandshakeStatus();
                    handshaken = now == HandshakeStatus.NOT_HANDSHAKING || now == HandshakeStatus.FINISHED;
                }
            }
        }
        return Poll.ready(null);
    }

    /**
     * After a failed handshake: wraps the alert the engine has for the peer, if any, and tries
     * once to write it, so the peer learns why; then closes the stream beneath.
     */
    synchronized void abort(Context cx) {
        try {
            engine.closeOutbound();
            if (cx != null && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                writeOut(cx);
                wrap(NOTHING);
                writeOut(cx);
            }
        } catch (Exception ignored) {
            // The handshake already failed; its failure is what the caller hears about.
        }
        try {
            close();
        } catch (Exception ignored) {
            // As above.
        }
    }

    /**
     * Sends what the engine has to send outside the handshake (a TLS 1.3 key update's answer, a
     * TLS 1.2 close_notify in reply) and the record a write left behind, as far as the stream
     * beneath takes them now.
     */
    private void answerEngine(Context cx) throws IOException {
        if (writerWaiting != null) {
            // A writer is draining the stream: it sends the record, and its next wrap sends what
            // the engine has to send before any data.
            return;
        }
        if (writeOut(cx).isReady() && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
            wrap(NOTHING);
            writeOut(cx);
        }
    }

    /**
     * Sends what the engine has to send once the peer's close_notify is in (TLS 1.2's own
     * close_notify in reply), if the peer still takes it. Peers commonly close their socket right
     * after their close_notify (the JDK and OpenSSL do), and a socket closed with data unread
     * resets the connection: the write then fails, but the end the reader has seen is no less
     * clean. The record stays waiting, so the next write, flush or shutdown reports the failure.
     */
    private void answerCloseNotify(Context cx) {
        try {
            answerEngine(cx);
        } catch (IOException peerGone) {
            // Left for the write side, as above.
        }
    }

    private void runTasks(HandshakeStatus hs) {
        if (hs == HandshakeStatus.NEED_TASK || engine.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
            for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                task.run();
            }
        }
    }

    private int drainAppIn(ByteBuffer dst) {
        int n = Math.min(appIn.remaining(), dst.remaining());
        dst.put(dst.position(), appIn, appIn.position(), n);
        dst.position(dst.position() + n);
        appIn.position(appIn.position() + n);
        if (!appIn.hasRemaining()) {
            appIn = giveBack(appIn);
        }
        return n;
    }

    private SSLEngineResult unwrap(ByteBuffer dst) throws SSLException {
        SSLEngineResult r = engine.unwrap(netIn, dst);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            throw new SSLException("no room to decrypt a record into " + dst.remaining() + " bytes; the session needs "
                    + engine.getSession().getApplicationBufferSize());
        }
        if (!netIn.hasRemaining()) {
            netIn = giveBack(netIn);
        }
        return r;
    }

    private SSLEngineResult wrap(ByteBuffer[] srcs) throws SSLException {
        int size = engine.getSession().getPacketBufferSize();
        ByteBuffer out = netOut != null ? netOut.compact()
                : (remaining(srcs) > engine.getSession().getApplicationBufferSize() && size <= POOLED_PACKET_SIZE
                        ? BATCHES.acquire() : borrow(size)).clear();
        SSLEngineResult r = engine.wrap(srcs, out);
        if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            // Not a packet's room after what waits (a handshake flight being gathered): move it
            // to a buffer with room for it and one more packet.
            out.flip();
            int need = out.remaining() + size;
            ByteBuffer bigger = (need <= MAX_RECORDS_PER_WRITE * POOLED_PACKET_SIZE ? BATCHES.acquire() : ByteBuffer.allocate(need)).clear();
            bigger.put(out);
            giveBack(out);
            out = bigger;
            r = engine.wrap(srcs, out);
        }
        out.flip();
        netOut = out.hasRemaining() ? out : giveBack(out);
        return r;
    }

    /** For the write side: writes the waiting record out, noting this writer's waker while it must wait. */
    private boolean writerWaitsFor(Context cx) throws IOException {
        if (writeOut(cx).isPending()) {
            writerWaiting = cx.waker();
            return true;
        }
        writerWaiting = null;
        return false;
    }

    /** Writes the waiting record to the stream beneath; ready once none waits. */
    private Poll<Void> writeOut(Context cx) throws IOException {
        while (netOut != null) {
            Poll<Integer> w = inner.pollWrite(cx, netOut);
            if (w.isPending()) {
                return Poll.pending();
            }
            if (w.value() <= 0) {
                throw new IOException("the stream " + inner + " wrote " + w.value() + " of " + netOut.remaining()
                        + " bytes; AsyncWrite.pollWrite must write at least one byte or return pending");
            }
            if (!netOut.hasRemaining()) {
                netOut = giveBack(netOut);
            }
        }
        return Poll.ready(null);
    }

    /** Reads the stream beneath once, after the ciphertext already held. */
    private Poll<Integer> readInner(Context cx) throws IOException {
        int size = engine.getSession().getPacketBufferSize();
        ByteBuffer in;
        if (netIn == null) {
            // Room for several records: a stream's records arrive together, and one read takes them.
            in = (size <= POOLED_PACKET_SIZE ? BATCHES.acquire() : borrow(size)).clear();
        } else if (netIn.capacity() < size && netIn.position() == 0 && netIn.limit() == netIn.capacity()) {
            in = ByteBuffer.allocate(size).put(netIn);
            giveBack(netIn);
        } else {
            in = netIn.compact();
        }
        Poll<Integer> r = inner.pollRead(cx, in);
        in.flip();
        netIn = in.hasRemaining() ? in : giveBack(in);
        if (r.isReady() && r.value() == 0) {
            throw new IOException("the stream " + inner + " read 0 bytes into a buffer with room; AsyncRead.pollRead must read"
                    + " at least one byte, return -1 at end of stream, or return pending");
        }
        return r;
    }

    private TlsTruncationException truncated(String doing) {
        int partial = netIn == null ? 0 : netIn.remaining();
        try {
            engine.closeInbound();
        } catch (SSLException expected) {
            // The engine's own complaint ("possible truncation attack?"): ours says more.
        }
        return new TlsTruncationException("the peer's stream ended without a TLS close_notify while " + doing
                + (partial > 0 ? ", " + partial + " bytes into a record" : "")
                + ": the connection was cut, and what was read may not be all the peer sent");
    }

    private static long remaining(ByteBuffer[] srcs) {
        long n = 0;
        for (ByteBuffer b : srcs) {
            n += b.remaining();
        }
        return n;
    }

    private static ByteBuffer borrow(int size) {
        return size <= POOLED_PACKET_SIZE ? PACKETS.acquire() : ByteBuffer.allocate(size);
    }

    /** Gives {@code b} back to the pool if it came from there; returns null, to clear the field it was in. */
    private static ByteBuffer giveBack(ByteBuffer b) {
        if (b != null && !b.isDirect()) {
            if (b.capacity() == POOLED_PACKET_SIZE) {
                PACKETS.release(b);
            } else if (b.capacity() == MAX_RECORDS_PER_WRITE * POOLED_PACKET_SIZE) {
                BATCHES.release(b);
            }
        }
        return null;
    }
}
