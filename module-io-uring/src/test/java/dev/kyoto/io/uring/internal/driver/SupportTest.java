package dev.kyoto.io.uring.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kyoto.io.uring.internal.ring.Opcode;
import java.io.IOException;
import java.util.BitSet;
import org.junit.jupiter.api.Test;

/** The io_uring driver's support check: here it is supported; each way it is not names the fix. */
class SupportTest {

    @Test
    void thisMachineRunsIt() {
        assertNull(Support.whyUnsupported(), "this build's tests run with native access on Linux 6.18");
    }

    /** A module without native access is told the flag, before any restricted call could print JDK 25's warning. */
    @Test
    void withoutNativeAccessTheReasonNamesTheFlag() {
        Module unnamed = new ClassLoader() { }.getUnnamedModule();
        assertEquals("native access is not enabled for the class path: run java with --enable-native-access=ALL-UNNAMED",
                Support.whyUnsupported(unnamed, () -> {
                    throw new AssertionError("no ring may be opened without native access");
                }));
    }

    @Test
    void aKernelThatRefusesTheRingIsReportedWithItsReason() {
        String why = Support.whyUnsupported(Support.class.getModule(), () -> {
            throw new IOException("io_uring_setup(2 entries, flags 0x0) failed: Operation not permitted (errno 1)");
        });
        assertEquals("this kernel refuses io_uring (io_uring_setup(2 entries, flags 0x0) failed: Operation not permitted "
                + "(errno 1)): it is older than Linux 5.1, io_uring is disabled (sysctl kernel.io_uring_disabled), or a "
                + "container's seccomp profile blocks it", why);
    }

    @Test
    void aKernelWithoutAnOperationTheDriverNeedsIsNamed() {
        BitSet all = new BitSet();
        all.set(0, 64);
        assertNull(Support.missing(all));
        BitSet old = (BitSet) all.clone();
        old.clear(Opcode.MSG_RING);
        old.clear(Opcode.SHUTDOWN);
        assertEquals("this kernel lacks the io_uring operations [34, 40] (numbers of enum io_uring_op) that the driver "
                + "needs: it needs Linux 5.18 or later", Support.missing(old));
    }
}
