package dev.kyoto.io;

/**
 * The readiness a resource has: {@link #READABLE}, {@link #WRITABLE}, {@link #READ_CLOSED},
 * {@link #WRITE_CLOSED}, {@link #PRIORITY}, {@link #ERROR}. The closed states are sticky: once
 * seen they are never cleared. Instances are interned; the bit encoding ({@link #bits()},
 * {@link #fromBits(int)}) is stable.
 */
public final class Ready {
    private static final int R = 1;
    private static final int W = 1 << 1;
    private static final int RC = 1 << 2;
    private static final int WC = 1 << 3;
    private static final int P = 1 << 4;
    private static final int E = 1 << 5;
    private static final Ready[] ALL_VALUES = new Ready[64];

    static {
        for (int i = 0; i < ALL_VALUES.length; i++) {
            ALL_VALUES[i] = new Ready(i);
        }
    }

    /** No readiness. */
    public static final Ready EMPTY = ALL_VALUES[0];
    /** Data can be read (or a connection accepted). */
    public static final Ready READABLE = ALL_VALUES[R];
    /** Data can be written (or a pending connect finished). */
    public static final Ready WRITABLE = ALL_VALUES[W];
    /** The read half reached end of stream. */
    public static final Ready READ_CLOSED = ALL_VALUES[RC];
    /** The write half is closed. */
    public static final Ready WRITE_CLOSED = ALL_VALUES[WC];
    /** Priority data can be read. */
    public static final Ready PRIORITY = ALL_VALUES[P];
    /** An error is pending. */
    public static final Ready ERROR = ALL_VALUES[E];
    /** Every readiness. */
    public static final Ready ALL = ALL_VALUES[63];

    private final int bits;

    private Ready(int bits) {
        this.bits = bits;
    }

    /** The readiness with these bits (values outside the six defined bits are ignored). */
    public static Ready fromBits(int bits) {
        return ALL_VALUES[bits & 63];
    }

    /** The readiness that satisfies {@code interest}: readable also means read-closed, and so on. */
    public static Ready fromInterest(Interest interest) {
        int b = 0;
        if (interest.isReadable()) {
            b |= R | RC;
        }
        if (interest.isWritable()) {
            b |= W | WC;
        }
        if (interest.isPriority()) {
            b |= P | RC;
        }
        if (interest.isError()) {
            b |= E;
        }
        return ALL_VALUES[b];
    }

    /** The stable bit encoding of this readiness. */
    public int bits() {
        return bits;
    }

    public boolean isEmpty() {
        return bits == 0;
    }

    /** Readable or read-closed: a read will not block. */
    public boolean isReadable() {
        return (bits & (R | RC)) != 0;
    }

    /** Writable or write-closed: a write will not block. */
    public boolean isWritable() {
        return (bits & (W | WC)) != 0;
    }

    public boolean isReadClosed() {
        return (bits & RC) != 0;
    }

    public boolean isWriteClosed() {
        return (bits & WC) != 0;
    }

    public boolean isPriority() {
        return (bits & P) != 0;
    }

    public boolean isError() {
        return (bits & E) != 0;
    }

    /** The union of both readinesses. */
    public Ready union(Ready other) {
        return ALL_VALUES[bits | other.bits];
    }

    /** This readiness without {@code other}'s bits. */
    public Ready minus(Ready other) {
        return ALL_VALUES[bits & ~other.bits];
    }

    /** The part of this readiness that satisfies {@code interest}. */
    public Ready intersection(Interest interest) {
        return ALL_VALUES[bits & fromInterest(interest).bits];
    }

    /** Whether any part of this readiness satisfies {@code interest}. */
    public boolean satisfies(Interest interest) {
        return (bits & fromInterest(interest).bits) != 0;
    }

    @Override
    public String toString() {
        if (bits == 0) {
            return "EMPTY";
        }
        String[] names = {"READABLE", "WRITABLE", "READ_CLOSED", "WRITE_CLOSED", "PRIORITY", "ERROR"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if ((bits & (1 << i)) != 0) {
                sb.append(sb.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return sb.toString();
    }
}
