package dev.kyoto.io.uring.fallback;

import dev.kyoto.runtime.KyotoRuntime;

/**
 * Prints the name of the I/O driver a default runtime chooses: the program {@code FallbackTest}
 * runs in a JVM of its own, from the class path, with the driver modules on the module path as an
 * application would have them.
 */
public final class WhichDriver {
    private WhichDriver() {
    }

    public static void main(String[] args) {
        try (KyotoRuntime rt = KyotoRuntime.builder().enableAll().build()) {
            System.out.println(rt.metrics().ioDriverName());
        }
    }
}
