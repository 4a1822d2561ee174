package dev.kyoto.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a size in bytes: a number, optionally followed by {@code k} (KiB, 1024 bytes) or
 * {@code m} (MiB), for example {@code 64}, {@code 16k} or {@code 1m}.
 */
final class ByteSizeConverter implements ITypeConverter<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)(k|kib|m|mib)?");

    @Override
    public Integer convert(String text) {
        Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException("'" + text + "' is not a size: expected a number of bytes, optionally with k or m, for example 16k");
        }
        int shift = m.group(2) == null ? 0 : m.group(2).startsWith("k") ? 10 : 20;
        // More digits than any int has would overflow parseLong; they are too large all the same.
        long number = m.group(1).length() > 10 ? Long.MAX_VALUE : Long.parseLong(m.group(1));
        if (number > Integer.MAX_VALUE >> shift) {
            throw new TypeConversionException("'" + text + "' is too large a size: at most " + Integer.MAX_VALUE + " bytes");
        }
        return (int) (number << shift);
    }
}
