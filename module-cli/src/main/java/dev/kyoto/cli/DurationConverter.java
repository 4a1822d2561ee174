package dev.kyoto.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a duration the way people type it: {@code 10s}, {@code 1.5s}, {@code 500ms}, {@code 2m},
 * or a bare number of seconds. picocli's own converter wants ISO-8601 ({@code PT10S}), which
 * nobody types on a command line.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");

    @Override
    public Duration convert(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a duration: expected a number with ms, s or m, for example 10s");
        }
        long nanosPerUnit = switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> 1_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 1_000_000_000L;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new TypeConversionException("'" + text + "' is too long a duration");
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
