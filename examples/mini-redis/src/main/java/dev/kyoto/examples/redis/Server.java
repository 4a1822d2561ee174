package dev.kyoto.examples.redis;

import dev.kyoto.codec.Framed;
import dev.kyoto.examples.redis.command.Session;
import dev.kyoto.examples.redis.db.Db;
import dev.kyoto.examples.redis.pubsub.PubSub;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.RespCodec;
import dev.kyoto.net.AcceptBackoff;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.JoinHandle;
import java.io.IOException;

/**
 * The server: one key space and one set of pub/sub channels, shared by every connection; a task
 * per connection, and the expiry purge task beside them.
 */
public final class Server {
    /**
     * The most bytes a connection may have read and not yet run as commands: Redis's
     * {@code client-query-buffer-limit}, 1 GiB. A client that exceeds it is disconnected.
     */
    public static final int MAX_QUERY_BUFFER = 1024 * 1024 * 1024;

    private final Db db = new Db();
    private final PubSub pubSub = new PubSub();

    /** An empty server. */
    public Server() {
    }

    /**
     * Serves {@code listener} until the listener fails for good or the computation is cancelled
     * (when its runtime closes, say), spawning a task per connection on the current runtime.
     * The listener stays the caller's to close.
     *
     * @param listener where clients connect
     * @return the accept loop's computation
     */
    public Async<Void> serve(TcpListener listener) {
        return Async.defer(() -> {
            JoinHandle<Void> purge = Handle.current().spawn("mini-redis expiry", db.purgeExpired());
            AcceptBackoff backoff = new AcceptBackoff(new AcceptWarnings());
            return Async.loop(() -> backoff.accept(listener).map(stream -> {
                Handle.current().spawn(connection(stream));
                return true;
            })).ensure(purge::abort);
        });
    }

    /**
     * Serves one client until it leaves. The connection's socket, buffers and subscriptions are
     * released however it ends; a socket failure (a client that reset) ends it quietly.
     */
    private Async<Void> connection(TcpStream stream) throws IOException {
        // Replies must not wait for Nagle's algorithm: a client waits for each before it sends more.
        stream.setNoDelay(true);
        RespCodec codec = RespCodec.requests();
        Framed<Frame> framed = Framed.of(stream, codec, codec, MAX_QUERY_BUFFER);
        Session session = new Session(db, pubSub);
        return Async.using(framed, f -> Async.using(session, s -> new Connection(f, s)))
                .recover(IOException.class, e -> null);
    }
}
