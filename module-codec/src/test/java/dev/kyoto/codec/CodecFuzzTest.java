package dev.kyoto.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Random frames, encoded, cut at random points and read back through a {@link FramedRead} whose
 * stream answers every other read with a pending: each must decode to the same frames, whatever
 * the cuts.
 */
class CodecFuzzTest {
    private static final int ROUNDS = 300;

    @Test
    void lengthDelimitedFramesSurviveAnySplit() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Random rnd = new Random(round);
            int width = 1 + rnd.nextInt(8);
            int adjustment = rnd.nextInt(3) - 1;
            ByteOrder order = rnd.nextBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            int max = width == 1 ? 200 : 5000;
            Supplier<LengthDelimitedCodec> codec = () -> LengthDelimitedCodec.builder()
                    .lengthFieldLength(width).lengthAdjustment(adjustment).byteOrder(order).maxFrameLength(max).build();
            List<ByteBuffer> frames = new ArrayList<>();
            for (int i = rnd.nextInt(30); i > 0; i--) {
                byte[] b = new byte[Math.max(adjustment, 0) + rnd.nextInt(rnd.nextInt(10) == 0 ? max - 1 : 50)];
                rnd.nextBytes(b);
                frames.add(ByteBuffer.wrap(b));
            }
            roundTrip(round, rnd, codec, frames, ByteBuffer::duplicate);
        }
    }

    @Test
    void linesSurviveAnySplit() throws Exception {
        String alphabet = "abc xyz\r\t,;é京🚄0";
        for (int round = 0; round < ROUNDS; round++) {
            Random rnd = new Random(1000 + round);
            List<String> lines = new ArrayList<>();
            for (int i = rnd.nextInt(40); i > 0; i--) {
                StringBuilder line = new StringBuilder();
                for (int n = rnd.nextInt(rnd.nextInt(10) == 0 ? 3000 : 30); n > 0; n--) {
                    line.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, rnd.nextInt(alphabet.codePointCount(0, alphabet.length())))));
                }
                // A line ending in "\r" reads back without it: the codec takes "\r\n" as the terminator.
                while (!line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
                    line.setLength(line.length() - 1);
                }
                lines.add(line.toString());
            }
            roundTrip(round, rnd, () -> new LinesCodec(20_000), lines, Function.identity());
        }
    }

    @Test
    void delimitedChunksSurviveAnySplit() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Random rnd = new Random(2000 + round);
            List<ByteBuffer> chunks = new ArrayList<>();
            for (int i = rnd.nextInt(40); i > 0; i--) {
                byte[] b = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 4000 : 40)];
                for (int k = 0; k < b.length; k++) {
                    byte x;
                    do {
                        x = (byte) rnd.nextInt(256);
                    } while (x == 0 || x == '\n');
                    b[k] = x;
                }
                chunks.add(ByteBuffer.wrap(b));
            }
            roundTrip(round, rnd, () -> new AnyDelimiterCodec(new byte[] {0, '\n'}, new byte[] {0}, 5000), chunks, ByteBuffer::duplicate);
        }
    }

    /** Encodes the frames with one codec, cuts the bytes at random points, and decodes them with another. */
    private static <T, K> void roundTrip(int round, Random rnd, Supplier<? extends Codec<T>> codec, List<T> frames,
            Function<T, K> key) throws Exception {
        MemoryStream out = new MemoryStream();
        FramedWrite<T> writer = new FramedWrite<>(out, codec.get());
        for (T frame : frames) {
            CodecTesting.drive(writer.feed(frame));
        }
        CodecTesting.drive(writer.flush());
        byte[] wire = out.written();

        MemoryStream in = new MemoryStream().stutter();
        for (int i = 0; i < wire.length; ) {
            int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 20_000);
            n = Math.min(n, wire.length - i);
            in.chunk(java.util.Arrays.copyOfRange(wire, i, i + n));
            i += n;
        }
        in.end();
        FramedRead<T> reader = new FramedRead<>(in, codec.get());
        List<K> decoded = new ArrayList<>();
        for (T frame; (frame = CodecTesting.drive(reader.next())) != null; ) {
            decoded.add(key.apply(frame));
        }
        assertEquals(frames.stream().map(key).toList(), decoded, "round " + round + ": " + wire.length + " bytes");
    }
}
