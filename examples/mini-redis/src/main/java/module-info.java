/**
 * mini-redis on Kyoto: a Redis server for strings, expiry and pub/sub, speaking RESP2, as Tokio's
 * mini-redis does on Tokio. {@code dev.kyoto.net} gives it sockets and the runtime,
 * {@code dev.kyoto.codec} the framing of RESP over them.
 */
module dev.kyoto.examples.redis {
    requires dev.kyoto.net;
    requires dev.kyoto.codec;
}
