/**
 * Kyoto's io_uring driver, reached through the Foreign Function &amp; Memory API with no native
 * library to ship: the ring is set up, mapped, fed and reaped from Java ({@code internal.ring})
 * over raw system calls ({@code internal.sys}). Linking this module makes the runtime prefer it
 * wherever the kernel has io_uring; {@code -Dkyoto.io.driver=nio} keeps the selector.
 *
 * <p>Run with {@code --enable-native-access=dev.kyoto.io.uring} (or {@code ALL-UNNAMED} on the
 * class path): without it the driver reports itself unsupported and the selector serves.
 */
module dev.kyoto.io.uring {
    requires dev.kyoto.io;
    requires static biz.aQute.bnd.annotation;

    provides dev.kyoto.runtime.spi.IoDriverProvider with dev.kyoto.io.uring.internal.driver.UringDriverProvider;
}
