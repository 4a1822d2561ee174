package dev.kyoto.net;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.nio.channels.SocketChannel;

/**
 * {@link TcpStream#intoChannel()}: deregisters, then yields until the selector has released the
 * channel. A yield wakes the task only after its worker has polled the driver, so each poll here
 * follows a driver turn; the deregistration woke the reactor if it was parked.
 */
final class IntoChannel implements Async<SocketChannel> {
    private final TcpStream stream;
    private SocketChannel channel;
    private Async<Void> yielding;

    IntoChannel(TcpStream stream) {
        this.stream = stream;
    }

    @Override
    public Poll<SocketChannel> poll(Context cx) throws Exception {
        if (channel == null) {
            channel = stream.detach();
        }
        for (;;) {
            if (yielding != null) {
                if (yielding.poll(cx).isPending()) {
                    return Poll.pending();
                }
                yielding = null;
            }
            if (!channel.isRegistered()) {
                return Poll.ready(channel);
            }
            yielding = Async.yieldNow();
        }
    }
}
