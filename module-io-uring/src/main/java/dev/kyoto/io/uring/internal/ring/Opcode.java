package dev.kyoto.io.uring.internal.ring;

/**
 * The io_uring operations the driver uses, by their numbers in the kernel's
 * {@code enum io_uring_op} ({@code include/uapi/linux/io_uring.h}), which only ever grows.
 */
public final class Opcode {
    public static final byte NOP = 0;
    public static final byte POLL_ADD = 6;
    public static final byte POLL_REMOVE = 7;
    public static final byte TIMEOUT = 11;
    public static final byte ACCEPT = 13;
    public static final byte ASYNC_CANCEL = 14;
    public static final byte CONNECT = 16;
    public static final byte CLOSE = 19;
    public static final byte READ = 22;
    public static final byte WRITE = 23;
    public static final byte SEND = 26;
    public static final byte RECV = 27;
    public static final byte SHUTDOWN = 34;
    public static final byte MSG_RING = 40;

    private Opcode() {
    }
}
