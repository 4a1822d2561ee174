/**
 * Kyoto's runtime: tasks, schedulers, the driver stack and the blocking pool.
 *
 * <p>The runtime never names an I/O driver. It finds one through {@link java.util.ServiceLoader}
 * ({@code uses dev.kyoto.runtime.spi.IoDriverProvider}), so an application links exactly the
 * driver module it wants, or none.
 */
module dev.kyoto.runtime {
    requires org.slf4j;
    // Only for the runtime's MXBean, registered when the application has java.management.
    requires static java.management;
    // Only for the runtime's Flight Recorder events, recorded when the application has jdk.jfr.
    requires static jdk.jfr;

    exports dev.kyoto.runtime;
    exports dev.kyoto.runtime.spi;
    exports dev.kyoto.runtime.sync;
    exports dev.kyoto.runtime.task;
    exports dev.kyoto.runtime.time;

    uses dev.kyoto.runtime.spi.IoDriverProvider;
}
