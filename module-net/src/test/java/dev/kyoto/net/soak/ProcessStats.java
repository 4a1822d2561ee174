package dev.kyoto.net.soak;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What this process holds besides descriptors: resident memory, the Java heap, and threads by name. */
final class ProcessStats {
    private ProcessStats() {
    }

    /** Resident memory in KiB ({@code VmRSS} of {@code /proc/self/status}). */
    static long rssKiB() {
        try {
            // Not Files.readString: /proc reports a size of 0 for its files.
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/status", e);
        }
        throw new IllegalStateException("/proc/self/status has no VmRSS line");
    }

    /** The Java heap in use after a full collection, in bytes: what is reachable, not what is garbage. */
    static long heapAfterGc() {
        Runtime r = Runtime.getRuntime();
        System.gc();
        System.gc();
        return r.totalMemory() - r.freeMemory();
    }

    /** The live threads whose names start with {@code prefix}. */
    static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    }

    /**
     * The threads named {@code prefix…} still alive after each has been given {@code millis} to
     * end (joined, so the wait ends as soon as they do).
     */
    static List<String> survivors(String prefix, long millis) throws InterruptedException {
        for (Thread t : threadsNamed(prefix)) {
            t.join(millis);
        }
        return threadsNamed(prefix).stream().map(Thread::getName).toList();
    }
}
