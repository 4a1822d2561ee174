package dev.kyoto.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.Context;
import dev.kyoto.runtime.Poll;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Small helpers the codec tests share. */
final class CodecTesting {
    static final Context CX = new Context(() -> { });

    private CodecTesting() {
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String ascii(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    static <T> byte[] encode(Encoder<T> encoder, T frame) throws Exception {
        WriteBuffer dst = new WriteBuffer();
        encoder.encode(frame, dst);
        return dst.toByteArray();
    }

    /** Polls until ready: the test streams that return pending wake at once, as a runtime would re-poll. */
    static <T> T drive(Async<T> a) throws Exception {
        for (int i = 0; i < 1_000_000; i++) {
            Poll<T> p = a.poll(CX);
            if (p.isReady()) {
                return p.value();
            }
        }
        throw new AssertionError("still pending after a million polls: " + a);
    }

    static <T> T ready(Async<T> a) throws Exception {
        Poll<T> p = a.poll(CX);
        assertTrue(p.isReady(), "expected ready, was pending: " + a);
        return p.value();
    }
}
