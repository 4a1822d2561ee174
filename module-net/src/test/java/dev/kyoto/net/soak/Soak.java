package dev.kyoto.net.soak;

/**
 * The suite's two sizes. The default build runs each test short, to keep it fast; the
 * {@code soak} profile ({@code ./mvnw -P soak verify}, {@code scripts/soak}) sets the system
 * property {@code kyoto.soak=true} and each test runs at full size.
 */
final class Soak {
    /** Whether this run is the soak run. */
    static final boolean FULL = Boolean.getBoolean("kyoto.soak");

    private Soak() {
    }

    /** {@code quick} in the default build, {@code full} in the soak run. */
    static int size(int quick, int full) {
        return FULL ? full : quick;
    }

    /** The name of this run's sizes, for the figures. */
    static String mode() {
        return FULL ? "soak" : "short";
    }
}
