package dev.kyoto.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class DurationConverterTest {
    private final DurationConverter converter = new DurationConverter();

    @Test
    void readsTheUnitsPeopleType() {
        assertEquals(Duration.ofSeconds(10), converter.convert("10s"));
        assertEquals(Duration.ofMillis(1500), converter.convert("1.5s"));
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
        assertEquals(Duration.ZERO, converter.convert("0s"));
    }

    @Test
    void aBareNumberIsSeconds() {
        assertEquals(Duration.ofSeconds(3), converter.convert("3"));
    }

    @Test
    void refusesWhatIsNotADuration() {
        for (String bad : new String[] {"", "s", "ten", "-1s", "1h", "1.s", "PT10S"}) {
            TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert(bad), bad);
            assertTrue(e.getMessage().contains("is not a duration"), e.getMessage());
        }
    }

    @Test
    void refusesWhatDoesNotFitInALong() {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert("99999999999999m"));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
    }
}
