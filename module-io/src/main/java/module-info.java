/**
 * Kyoto's I/O driver: a reactor over {@link java.nio.channels.Selector} that turns readiness into
 * task wakes, and {@link dev.kyoto.io.PollEvented}, the bridge from a channel to that reactor.
 *
 * <p>The runtime finds this driver only through the {@code provides} line below; it never names
 * this module.
 */
module dev.kyoto.io {
    // The public API speaks the runtime's types (Async, Context, Poll), so users of this module get them too.
    requires transitive dev.kyoto.runtime;
    requires org.slf4j;
    // CLASS-retention annotations read by bnd to write the osgi.serviceloader headers; absent at run time.
    requires static biz.aQute.bnd.annotation;

    exports dev.kyoto.io;
    exports dev.kyoto.io.spi;

    provides dev.kyoto.runtime.spi.IoDriverProvider with dev.kyoto.io.internal.reactor.SelectorDriverProvider;
}
