package dev.kyoto.runtime.task;

import dev.kyoto.runtime.KyotoRuntime;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;

/** Both scheduler flavours, with timers, for tests that must hold on each. */
final class Flavours {
    private Flavours() {
    }

    static Stream<Named<Supplier<KyotoRuntime>>> both() {
        return Stream.of(
                Named.of("current-thread", () -> KyotoRuntime.builder().currentThread().enableTime().build()),
                Named.of("multi-thread", () -> KyotoRuntime.builder().multiThread().workerThreads(4).enableTime().build()));
    }
}
