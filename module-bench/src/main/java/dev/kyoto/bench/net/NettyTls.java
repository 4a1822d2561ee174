package dev.kyoto.bench.net;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The TLS that the benchmarks' Netty servers speak: TLS 1.3 with TLS_AES_128_GCM_SHA256 only, on
 * the JDK's own {@code SSLEngine} ({@link SslProvider#JDK}, the provider Kyoto's module-tls uses,
 * so the two servers differ in how they drive the engine and not in the engine). Each connection's
 * {@code SslHandler} comes from {@link SslContext#newHandler(io.netty.buffer.ByteBufAllocator)},
 * whose delegated-task executor in Netty 4.2 is {@code ImmediateExecutor}: the engine's
 * delegated tasks (the handshake's signing and key agreement) run inline on the event loop,
 * as Netty runs them unless told otherwise.
 */
final class NettyTls {
    private NettyTls() {
    }

    /**
     * A server context from a PEM certificate chain and a PEM PKCS#8 private key
     * ({@code BEGIN PRIVATE KEY}).
     */
    static SslContext serverContext(File chain, File key) throws SSLException {
        return SslContextBuilder.forServer(chain, key)
                .sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3")
                .ciphers(List.of("TLS_AES_128_GCM_SHA256"))
                .build();
    }
}
