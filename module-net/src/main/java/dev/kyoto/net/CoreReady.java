package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.Ready;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.io.IOException;

/**
 * A readiness wait on a connection's core, begun on first poll: whether the stream or half may
 * still be used is checked then, so a wait created before a close fails as a read would.
 */
final class CoreReady implements Async<Ready> {
    /** Yields the core if the stream or half may be used, else fails. */
    @FunctionalInterface
    interface CoreAccess {
        TcpCore use() throws IOException;
    }

    private final CoreAccess access;
    private final Interest interest;
    private Async<Ready> wait;

    CoreReady(CoreAccess access, Interest interest) {
        this.access = access;
        this.interest = interest;
    }

    @Override
    public Poll<Ready> poll(Context cx) throws Exception {
        if (wait == null) {
            wait = access.use().ready(interest);
        }
        return wait.poll(cx);
    }

    @Override
    public void cancel() {
        if (wait != null) {
            wait.cancel();
        }
    }
}
