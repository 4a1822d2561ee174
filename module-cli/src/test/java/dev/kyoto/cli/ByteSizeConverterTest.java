package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ByteSizeConverterTest {
    private final ByteSizeConverter converter = new ByteSizeConverter();

    @Test
    void readsBytesKibAndMib() {
        assertEquals(64, converter.convert("64"));
        assertEquals(16 * 1024, converter.convert("16k"));
        assertEquals(16 * 1024, converter.convert("16KiB"));
        assertEquals(1 << 20, converter.convert("1m"));
        assertEquals(1 << 20, converter.convert("1M"));
    }

    @Test
    void refusesWhatIsNotASize() {
        for (String bad : new String[] {"", "k", "-1", "1.5k", "1g", "lots"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert(bad), bad);
            assertTrue(e.getMessage().contains("is not a size"), e.getMessage());
        }
    }

    @Test
    void refusesWhatDoesNotFitInAnInt() {
        assertEquals(Integer.MAX_VALUE, converter.convert(String.valueOf(Integer.MAX_VALUE)));
        for (String big : new String[] {"2048m", "2097152k", "2147483648", "99999999999999999999999"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert(big), big);
            assertTrue(e.getMessage().contains("too large"), e.getMessage());
        }
    }
}
