package dev.kyoto.examples.redis;

import dev.kyoto.codec.Framed;
import dev.kyoto.examples.redis.command.Session;
import dev.kyoto.examples.redis.pubsub.Subscriptions;
import dev.kyoto.examples.redis.resp.Frame;
import dev.kyoto.examples.redis.resp.ProtocolException;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;

/**
 * One client's connection: read a command, run it, feed the reply, again, until the client
 * closes, sends QUIT, or sends bytes that are not RESP. Completes normally in those cases; a
 * socket failure is thrown.
 *
 * <p>It is the loop {@code next()} → execute → {@code feed(reply)}, written as one state machine
 * so that a command costs no combinator objects: {@link Framed#pollNext} writes the replies fed
 * so far in one write when the requests already read run out, so a pipeline of commands gets
 * its replies in one batch, and {@link Framed#pollFeed} buffers a reply without a computation of
 * its own. A subscribed connection waits for two things at once in the same
 * poll: the next command and the next published message. Both waits are kept across polls
 * ({@code Framed.pollNext} buffers what it read, the message receive is held by
 * {@link Subscriptions} until it completes), so neither a command nor a message is lost when the
 * other arrives first.
 *
 * <p>State, touched only by the connection's task: {@code feeding} is the reply to buffer next
 * (it waits only when the write buffer is full and the client does not read); {@code finishing}
 * is the final flush once the connection is to close; {@code closing} says that it is.
 */
final class Connection implements Async<Void> {
    private final Framed<Frame> framed;
    private final Session session;
    private Frame feeding;
    private Async<Void> finishing;
    private boolean closing;

    Connection(Framed<Frame> framed, Session session) {
        this.framed = framed;
        this.session = session;
    }

    @Override
    public Poll<Void> poll(Context cx) throws Exception {
        while (true) {
            if (finishing != null) {
                return finishing.poll(cx);
            }
            if (feeding != null) {
                if (framed.pollFeed(cx, feeding).isPending()) {
                    return Poll.pending();
                }
                feeding = null;
            }
            Frame queued = session.nextQueued();
            if (queued != null) {
                feeding = queued;
                continue;
            }
            if (closing || session.closeAfterReply()) {
                finishing = framed.flush();
                continue;
            }
            Subscriptions subscriptions = session.subscriptions();
            if (subscriptions.count() > 0) {
                Poll<Frame> message = subscriptions.pollMessage(cx);
                if (message.isReady()) {
                    feeding = message.value();
                    continue;
                }
            }
            Poll<Frame> next;
            try {
                next = framed.pollNext(cx);
            } catch (ProtocolException e) {
                // As Redis: the error, after the replies before it, then the connection closes.
                feeding = e.reply();
                closing = true;
                continue;
            }
            if (next.isPending()) {
                return Poll.pending();
            }
            Frame request = next.value();
            if (request == null) {
                return Poll.ready(null);
            }
            if (request instanceof Frame.Array command && !command.items().isEmpty()) {
                Frame reply = session.execute(command);
                if (reply != null) {
                    feeding = reply;
                }
            }
        }
    }

    @Override
    public void cancel() {
        if (finishing != null) {
            finishing.cancel();
        }
    }
}
