package dev.kyoto.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * This process short of descriptors, for as long as the object is open: the soft
 * {@code RLIMIT_NOFILE} is lowered (to 0 by {@link #exhausted()}), so that no descriptor numbered
 * at the limit or above can be opened, and a new one (an accepted socket, a selector, a class
 * file read from a directory) fails with {@code EMFILE}, "Too many open files", once the numbers
 * below are taken; those already open keep working. {@link #close()} puts the limit back. The
 * JDK has no {@code setrlimit}, so this calls the C library's through the FFM API.
 *
 * <p>The limit is the whole process's: hold it only for a few polls (test classes run one at a
 * time), and have the code under test run once before, so that no class it needs is loaded while
 * the limit holds.
 */
public final class DescriptorLimit implements AutoCloseable {
    private static final int RLIMIT_NOFILE = 7;
    private static final MethodHandle GETRLIMIT = libc("getrlimit");
    private static final MethodHandle SETRLIMIT = libc("setrlimit");

    private final Arena arena = Arena.ofConfined();
    /** The {@code struct rlimit} as it was: the soft limit, then the hard limit. */
    private final MemorySegment saved = arena.allocate(16, 8);

    private DescriptorLimit(long limit) throws Throwable {
        check((int) GETRLIMIT.invokeExact(RLIMIT_NOFILE, saved), "getrlimit");
        MemorySegment lowered = arena.allocate(16, 8);
        lowered.set(JAVA_LONG, 0, limit);
        lowered.set(JAVA_LONG, 8, saved.get(JAVA_LONG, 8));
        check((int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, lowered), "setrlimit");
    }

    /** Lowers the soft limit to 0 until {@link #close()}: no new descriptor at all. */
    public static DescriptorLimit exhausted() throws Throwable {
        return new DescriptorLimit(0);
    }

    /** Lowers the soft limit to {@code limit} until {@link #close()}. */
    public static DescriptorLimit lowerTo(long limit) throws Throwable {
        return new DescriptorLimit(limit);
    }

    /** Puts the limit back. */
    @Override
    public void close() {
        try {
            check((int) SETRLIMIT.invokeExact(RLIMIT_NOFILE, saved), "setrlimit");
        } catch (Throwable t) {
            throw new AssertionError("cannot restore the descriptor limit", t);
        } finally {
            arena.close();
        }
    }

    private static MethodHandle libc(String name) {
        Linker linker = Linker.nativeLinker();
        return linker.downcallHandle(linker.defaultLookup().find(name).orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static void check(int result, String call) {
        if (result != 0) {
            throw new AssertionError(call + "(RLIMIT_NOFILE) failed");
        }
    }
}
