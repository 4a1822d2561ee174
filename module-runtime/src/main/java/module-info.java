/**
 * Kyoto's runtime: tasks, schedulers, the driver stack and the blocking pool.
 *
 * <p>The runtime never names an I/O driver. It finds one through {@link java.util.ServiceLoader}
 * ({@code uses dev.kyoto.runtime.spi.IoDriverProvider}), so an application links exactly the
 * driver module it wants, or none.
 */
module dev.kyoto.runtime {
    requires org.slf4j;
    // CLASS-retention annotations read by bnd to write the osgi.serviceloader headers; absent at run time.
    requires static biz.aQute.bnd.annotation;

    exports dev.kyoto.runtime;
    exports dev.kyoto.runtime.spi;

    uses dev.kyoto.runtime.spi.IoDriverProvider;
}
