package dev.kyoto.net;

import dev.kyoto.io.Interest;
import dev.kyoto.io.PollEvented;
import java.io.IOException;
import java.net.SocketAddress;
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

    /**
     * Reads an address of a registered channel once, for its owner to keep. The JDK keeps a
     * channel's addresses in the channel and fails to return them only when it is closed
     * ({@link java.nio.channels.ClosedChannelException}); then the registration is closed too, so
     * that the half-made owner leaks nothing.
     */
    static <C extends SelectableChannel, A extends SocketAddress> A address(PollEvented<C> io, ChannelAddress<C> read,
            Class<A> type) throws IOException {
        try {
            return type.cast(read.of(io.channel()));
        } catch (IOException e) {
            try {
                io.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** {@code getLocalAddress} or {@code getRemoteAddress}, as a method reference. */
    @FunctionalInterface
    interface ChannelAddress<C> {
        SocketAddress of(C channel) throws IOException;
    }
}
