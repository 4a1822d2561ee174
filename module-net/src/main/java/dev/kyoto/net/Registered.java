package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import java.io.IOException;
import java.nio.channels.SelectableChannel;

/** Registration of channels the caller hands over for good, such as accepted connections. */
final class Registered {
    private Registered() {
    }

    /** Registers {@code ch}, closing it if that fails: the caller has no other use for it, so nothing leaks. */
    static <C extends SelectableChannel> PollEvented<C> orClosed(C ch, Interest interest) throws IOException {
        try {
            return PollEvented.register(ch, interest);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }
}
