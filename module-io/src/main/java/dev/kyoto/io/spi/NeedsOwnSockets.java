package dev.kyoto.io.spi;

/**
 * The failure of an operation that only a driver owning its sockets can do: the JDK's channels
 * have no way to it. Says what is missing and how to get it.
 */
final class NeedsOwnSockets {
    private NeedsOwnSockets() {
    }

    static UnsupportedOperationException error(String operation, String whyNotJdk) {
        return new UnsupportedOperationException(operation + " needs an I/O driver that owns its sockets: "
                + whyNotJdk + ". Link dev.kyoto.io.uring on Linux (see MODULES.md), and do not force"
                + " -Dkyoto.io.driver=nio");
    }
}
