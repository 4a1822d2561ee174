package dev.kyoto.runtime.spi;

import java.util.Objects;

/**
 * The I/O part of a runtime's driver handle: either a live I/O driver, or, for a runtime built
 * without {@code enableIo()}, only the means to unpark its thread.
 */
public sealed interface IoHandle permits IoHandle.Enabled, IoHandle.Disabled {

    /** I/O is enabled and served by {@code driver}. */
    record Enabled(IoDriver driver) implements IoHandle {
        public Enabled {
            Objects.requireNonNull(driver, "driver");
        }
    }

    /** I/O is disabled; the runtime parks on a plain thread parker. */
    record Disabled(UnparkThread unpark) implements IoHandle {
        public Disabled {
            Objects.requireNonNull(unpark, "unpark");
        }
    }

    /**
     * The I/O driver.
     *
     * @throws IllegalStateException naming the fix if I/O is disabled
     */
    default IoDriver driver() {
        return switch (this) {
            case Enabled e -> e.driver();
            case Disabled d -> throw new IllegalStateException(
                    "a Kyoto runtime was found, but I/O is disabled: call enableIo() (or enableAll()) on KyotoRuntime.Builder");
        };
    }
}
