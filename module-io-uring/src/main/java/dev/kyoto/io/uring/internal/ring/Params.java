package dev.kyoto.io.uring.internal.ring;

/**
 * Byte offsets in {@code struct io_uring_params}, which {@code io_uring_setup} reads the flags
 * from and writes the ring's sizes and the offsets of its fields into
 * ({@code include/uapi/linux/io_uring.h}: ten {@code __u32}, then {@code io_sqring_offsets} at 40
 * and {@code io_cqring_offsets} at 80, 40 bytes each).
 */
final class Params {
    static final long SIZE = 120;
    static final long SQ_ENTRIES = 0;
    static final long CQ_ENTRIES = 4;
    static final long FLAGS = 8;
    static final long FEATURES = 20;
    static final long SQ_HEAD = 40;
    static final long SQ_TAIL = 44;
    static final long SQ_RING_MASK = 48;
    static final long SQ_FLAGS = 56;
    static final long SQ_ARRAY = 64;
    static final long CQ_HEAD = 80;
    static final long CQ_TAIL = 84;
    static final long CQ_RING_MASK = 88;
    static final long CQ_CQES = 100;

    private Params() {
    }
}
