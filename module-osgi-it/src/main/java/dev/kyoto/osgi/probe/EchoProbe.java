package dev.kyoto.osgi.probe;

import dev.kyoto.codec.Framed;
import dev.kyoto.codec.LinesCodec;
import dev.kyoto.net.TcpListener;
import dev.kyoto.net.TcpStream;
import dev.kyoto.runtime.Async;
import dev.kyoto.runtime.JoinHandle;
import dev.kyoto.runtime.KyotoRuntime;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import dev.kyoto.tls.TlsConnector;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * One echo round trip on 127.0.0.1 through {@code dev.kyoto.net}, on a runtime built inside this
 * bundle with I/O enabled and no driver named: the runtime bundle has to find the driver on its
 * own, which in OSGi it can only do through the Service Loader Mediator.
 *
 * <p>The result is a map, because only JDK types are shared with the caller:
 * <ul>
 * <li>{@code echoed} ({@code String}): what came back, {@value #MESSAGE} when all went well;</li>
 * <li>{@code runtimeBundle}, {@code netBundle}, {@code codecBundle}, {@code tlsBundle},
 *     {@code driverBundle} ({@code String}): the symbolic names of the bundles that defined
 *     {@code KyotoRuntime}, {@code TcpStream}, {@code Framed} (the echo task reads and writes a
 *     line through it), {@code TlsConnector} (made here from the JDK's default context) and the
 *     I/O driver the runtime chose;</li>
 * <li>{@code readyEvents} ({@code Long}): readiness events that driver delivered;</li>
 * <li>{@code contextLoaderSeesDriver} ({@code Boolean}): whether the calling thread's context
 *     class loader could see the driver's {@code META-INF/services} file. It must be false, or a
 *     successful echo would not show that the mediator did the finding.</li>
 * </ul>
 */
final class EchoProbe implements Callable<Map<String, Object>> {
    /** What the client sends and expects back. */
    static final String MESSAGE = "hello from inside the framework";

    private static final String PROVIDER_FILE = "META-INF/services/dev.kyoto.runtime.spi.IoDriverProvider";

    private final boolean multiThread;

    EchoProbe(boolean multiThread) {
        this.multiThread = multiThread;
    }

    @Override
    public Map<String, Object> call() throws Exception {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        boolean contextLoaderSeesDriver = context != null && context.getResource(PROVIDER_FILE) != null;
        KyotoRuntime.Builder builder = multiThread
                ? KyotoRuntime.builder().multiThread().workerThreads(2)
                : KyotoRuntime.builder().currentThread();
        try (KyotoRuntime rt = builder.enableAll().build()) {
            String echoed = roundTrip(rt);
            IoDriverMetrics io = rt.ioDriverMetrics().orElseThrow();
            return Map.of(
                    "echoed", echoed,
                    "runtimeBundle", bundleOf(KyotoRuntime.class),
                    "netBundle", bundleOf(TcpStream.class),
                    "codecBundle", bundleOf(Framed.class),
                    "tlsBundle", bundleOf(TlsConnector.of(SSLContext.getDefault()).getClass()),
                    // The metrics are the driver object itself: its class is the provider bundle's.
                    "driverBundle", bundleOf(io.getClass()),
                    "readyEvents", io.readyCount(),
                    "contextLoaderSeesDriver", contextLoaderSeesDriver);
        }
    }

    /** Sends {@link #MESSAGE} as a line to a spawned echo task over loopback and returns what came back. */
    private static String roundTrip(KyotoRuntime rt) throws Exception {
        byte[] line = (MESSAGE + "\n").getBytes(StandardCharsets.US_ASCII);
        try (TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
            JoinHandle<Void> server = rt.spawn(listener.accept().then(EchoProbe::echoOnce));
            ByteBuffer reply = ByteBuffer.allocate(line.length);
            try (TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()))) {
                rt.blockOn(client.writeAll(ByteBuffer.wrap(line)));
                rt.blockOn(client.readExact(reply));
            }
            rt.blockOn(server);
            return new String(reply.array(), 0, line.length - 1, StandardCharsets.US_ASCII);
        }
    }

    /** Reads one line from {@code stream}, sends it back and closes the stream, also on failure. */
    private static Async<Void> echoOnce(TcpStream stream) {
        Framed<String> lines = Framed.of(stream, new LinesCodec());
        return Async.using(lines, f -> f.next().then(f::send));
    }

    private static String bundleOf(Class<?> type) {
        Bundle bundle = FrameworkUtil.getBundle(type);
        return bundle == null ? "(not in a bundle: " + type.getClassLoader() + ")" : bundle.getSymbolicName();
    }
}
