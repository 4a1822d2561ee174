package dev.kyoto.io;

/**
 * The readiness a resource is waited on for: {@link #READABLE}, {@link #WRITABLE},
 * {@link #PRIORITY} and {@link #ERROR}, combinable with {@link #add}. Instances are interned,
 * so combining allocates nothing and {@code ==} compares.
 */
public final class Interest {
    private static final int R = 1;
    private static final int W = 1 << 1;
    private static final int P = 1 << 4;
    private static final int E = 1 << 5;
    private static final Interest[] ALL = new Interest[64];

    static {
        for (int i = 0; i < ALL.length; i++) {
            ALL[i] = new Interest(i);
        }
    }

    /** Interest in reading (or accepting, for a listener). */
    public static final Interest READABLE = ALL[R];
    /** Interest in writing (or in a pending connect completing). */
    public static final Interest WRITABLE = ALL[W];
    /** Interest in urgent (out-of-band) data. */
    public static final Interest PRIORITY = ALL[P];
    /** Interest in error readiness. */
    public static final Interest ERROR = ALL[E];

    private final int bits;

    private Interest(int bits) {
        this.bits = bits;
    }

    /** The union of this interest and {@code other}. */
    public Interest add(Interest other) {
        return ALL[bits | other.bits];
    }

    /** Whether this interest includes reading. */
    public boolean isReadable() {
        return (bits & R) != 0;
    }

    /** Whether this interest includes writing. */
    public boolean isWritable() {
        return (bits & W) != 0;
    }

    /** Whether this interest includes priority data. */
    public boolean isPriority() {
        return (bits & P) != 0;
    }

    /** Whether this interest includes errors. */
    public boolean isError() {
        return (bits & E) != 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (isReadable()) {
            sb.append("READABLE|");
        }
        if (isWritable()) {
            sb.append("WRITABLE|");
        }
        if (isPriority()) {
            sb.append("PRIORITY|");
        }
        if (isError()) {
            sb.append("ERROR|");
        }
        return sb.isEmpty() ? "NONE" : sb.substring(0, sb.length() - 1);
    }
}
