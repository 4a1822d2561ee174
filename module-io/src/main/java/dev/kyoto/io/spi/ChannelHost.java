package dev.kyoto.io.spi;

import dev.kyoto.runtime.spi.IoDriver;
import java.io.IOException;

/**
 * An I/O driver that does not poll {@code java.nio} channels itself, such as a native driver that
 * owns its sockets, but still serves them for {@link dev.kyoto.io.PollEvented}: it hands out a
 * driver that does, usually one from {@link CompanionSelector#start(String)}.
 *
 * <p>The JDK gives no public way to learn a channel's file descriptor, so a driver that waits on
 * its own kernel interface cannot wait on a channel's readiness too; the companion waits on them
 * on a thread of its own and wakes their tasks from there.
 */
public interface ChannelHost {

    /**
     * The driver that serves {@code java.nio} channels beside this one, opened with this driver and
     * shut down with this driver.
     *
     * @throws IOException the runtime's shutdown error once this driver is shut down, or why the
     *                     companion could not open
     */
    IoDriver channelDriver() throws IOException;
}
