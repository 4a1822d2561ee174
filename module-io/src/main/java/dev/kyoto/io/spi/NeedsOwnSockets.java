package dev.kyoto.io.spi;

/**
 * The failure of an operation that only a driver owning its sockets can do: the JDK's channels
 * have no way to it. Says what is missing and how to get it, in the same words wherever
 * {@code dev.kyoto.net} meets it.
 */
public final class NeedsOwnSockets {
    private NeedsOwnSockets() {
    }

    /**
     * The error for {@code operation} (a sentence's subject: "Reading IP_TTL"), which the JDK
     * cannot do because {@code whyNotJdk}.
     */
    public static UnsupportedOperationException error(String operation, String whyNotJdk) {
        return new UnsupportedOperationException(operation + " needs an I/O driver that owns its sockets: "
                + whyNotJdk + ". Link dev.kyoto.io.uring on Linux (see MODULES.md), and do not force"
                + " -Dkyoto.io.driver=nio");
    }
}
