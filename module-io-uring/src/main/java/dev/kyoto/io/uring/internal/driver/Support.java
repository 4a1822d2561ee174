package dev.kyoto.io.uring.internal.driver;

import dev.kyoto.io.uring.internal.ring.Opcode;
import dev.kyoto.io.uring.internal.ring.Ring;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Whether the io_uring driver can run here, and if not, why, in words that name the fix: the
 * check behind its provider's {@code isSupported()}, made before the runtime chooses a driver so
 * that where io_uring cannot run the selector runs instead.
 *
 * <p>Native access is checked first and without a restricted call: without
 * {@code --enable-native-access} JDK 25 still allows the first downcall but prints a warning on
 * standard error, which a probe must not cause. Then a small ring is set up and closed (this is
 * where a container's seccomp profile, {@code kernel.io_uring_disabled} or a kernel without
 * io_uring refuses), and the kernel is asked which operations it has.
 */
public final class Support {
    /** The operations the driver cannot do without, with the Linux version that brought the last of them. */
    private static final byte[] NEEDED = {Opcode.NOP, Opcode.POLL_ADD, Opcode.POLL_REMOVE, Opcode.TIMEOUT, Opcode.ACCEPT,
        Opcode.ASYNC_CANCEL, Opcode.CONNECT, Opcode.CLOSE, Opcode.READ, Opcode.WRITE, Opcode.SEND, Opcode.RECV,
        Opcode.SHUTDOWN, Opcode.MSG_RING};
    private static final String NEEDED_KERNEL = "Linux 5.18";

    /** How the probe opens its ring: {@code Ring.open}, or a stand-in in tests. */
    @FunctionalInterface
    interface RingOpener {
        Ring open() throws IOException;
    }

    private Support() {
    }

    /** Why the io_uring driver cannot run here, or null if it can. */
    public static String whyUnsupported() {
        return whyUnsupported(Support.class.getModule(), () -> Ring.open(2, 0));
    }

    static String whyUnsupported(Module module, RingOpener opener) {
        if (!module.isNativeAccessEnabled()) {
            String name = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            return "native access is not enabled for " + (module.isNamed() ? "module " + name : "the class path")
                    + ": run java with --enable-native-access=" + name;
        }
        BitSet supported;
        try (Ring ring = opener.open()) {
            if ((ring.features() & Ring.FEAT_EXT_ARG) == 0) {
                return "this kernel's io_uring cannot wait with a timeout (IORING_FEAT_EXT_ARG): the driver needs "
                        + NEEDED_KERNEL + " or later";
            }
            supported = ring.supportedOpcodes();
        } catch (IOException e) {
            return "this kernel refuses io_uring (" + e.getMessage() + "): it is older than Linux 5.1, io_uring is "
                    + "disabled (sysctl kernel.io_uring_disabled), or a container's seccomp profile blocks it";
        }
        return missing(supported);
    }

    /** Why a kernel with {@code supported} operations cannot run the driver, or null if it can. */
    static String missing(BitSet supported) {
        List<Byte> absent = new ArrayList<>();
        for (byte op : NEEDED) {
            if (!supported.get(op)) {
                absent.add(op);
            }
        }
        return absent.isEmpty() ? null : "this kernel lacks the io_uring operations " + absent
                + " (numbers of enum io_uring_op) that the driver needs: it needs " + NEEDED_KERNEL + " or later";
    }
}
