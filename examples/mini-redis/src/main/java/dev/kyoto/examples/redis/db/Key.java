package dev.kyoto.examples.redis.db;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key or a channel name: binary-safe bytes, compared by content. The hash is computed once,
 * since a key is hashed on every map access and compared on every collision.
 *
 * @param bytes the name; handed over, not copied, and never changed
 * @param hash {@code Arrays.hashCode(bytes)}
 */
public record Key(byte[] bytes, int hash) {

    /**
     * The key named by {@code bytes}.
     *
     * @param bytes the name; the key keeps the array
     * @return the key
     */
    public static Key of(byte[] bytes) {
        return new Key(bytes, Arrays.hashCode(bytes));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Key k && hash == k.hash && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
