package dev.kyoto.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a JUnit test inside a fresh Kyoto runtime: the Java counterpart of {@code #[tokio::test]}.
 *
 * <pre>{@code
 * @KyotoTest
 * void echoes(KyotoRuntime rt) throws Exception {
 *     try (TcpListener listener = rt.blockOn(TcpListener.bind("127.0.0.1:0"))) {
 *         JoinHandle<TcpStream> accepted = rt.spawn(listener.accept());
 *         try (TcpStream client = rt.blockOn(TcpStream.connect(listener.localAddress()));
 *                 TcpStream server = rt.blockOn(accepted)) {
 *             rt.blockOn(client.writeAll(ByteBuffer.wrap(PING)));
 *             ByteBuffer received = ByteBuffer.allocate(PING.length);
 *             rt.blockOn(server.readExact(received));
 *             assertArrayEquals(PING, received.array());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>For each invocation the kit builds a runtime with I/O and timers enabled, hands it to every
 * {@link dev.kyoto.runtime.KyotoRuntime} parameter of the test method (and of the class's
 * {@code @BeforeEach} and {@code @AfterEach} methods), runs those methods on the test thread with
 * the runtime {@linkplain dev.kyoto.runtime.Handle#enter() entered}, so that
 * {@code Handle.current()}, {@code Time.now()} and {@code TestClock} find it, and closes it
 * afterwards: every task the test left behind is cancelled, and the close waits at most five
 * seconds for blocking work and worker threads, so a test that leaves a stuck task behind costs
 * the suite a bounded delay instead of hanging it.
 *
 * <h2>Why the body is {@code rt.blockOn(...)} and not a returned {@code Async}</h2>
 * Tokio's macro turns an {@code async fn} body into {@code block_on(body)}. The natural Java
 * shape would be a test method that returns its {@code Async}, but JUnit Jupiter does not run
 * {@code @Test} or {@code @TestTemplate} methods that return a value: it skips them with only a
 * discovery warning (checked against JUnit 5.14). So a {@code @KyotoTest} method returns
 * {@code void}, and where Tokio writes {@code .await} a Kyoto test writes {@code rt.blockOn(...)}:
 * either once around the whole computation, or statement by statement as above. Both read the
 * same on either flavour: on a current-thread runtime each {@code blockOn} drives the runtime's
 * tasks and I/O while it waits, as Tokio's {@code block_on} does; on a multi-thread runtime the
 * workers run them. A failure of the computation is rethrown by {@code blockOn} unchanged and
 * fails the test as it is. Because a non-void {@code @KyotoTest} method would silently not run,
 * build with the JUnit configuration parameter
 * {@code junit.platform.discovery.issue.severity.critical=WARNING}, which turns that warning into
 * a failure, as Kyoto's own build does. (Under Maven Surefire it fails only a class that has some
 * other test: Surefire skips a class in which discovery finds no test at all before running it.)
 *
 * <h2>Flavours and the paused clock</h2>
 * {@link #flavor()} picks the scheduler; {@link Flavor#BOTH} runs the test twice, once per
 * flavour, reported as {@code [current-thread]} and {@code [multi-thread]}.
 * {@link #startPaused()} starts the clock paused, so that timers fire as soon as the runtime
 * would otherwise wait for them and a test of a one-hour timeout takes no time; like
 * {@code TestClock} itself it needs the current-thread flavour, and any other combination fails
 * the test with a configuration error before anything runs.
 *
 * <p>The annotation may also be used as a meta-annotation, to name a configuration used often.
 * Bound tests that could hang with JUnit's {@code @Timeout(threadMode = SEPARATE_THREAD)}: the
 * runtime is then entered on the thread that runs the method.
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@TestTemplate
@ExtendWith(KyotoExtension.class)
public @interface KyotoTest {

    /** {@return which scheduler runs the test} Default: current-thread, as for {@code #[tokio::test]}. */
    Flavor flavor() default Flavor.CURRENT_THREAD;

    /**
     * {@return the number of worker threads of the multi-thread runtime} Ignored by the
     * current-thread flavour. Default 2: enough for tasks to be stolen and to run at once, small
     * enough that a suite of many such tests stays cheap.
     */
    int workerThreads() default 2;

    /**
     * {@return whether the runtime's clock starts paused} See {@code KyotoRuntime.Builder.startPaused}.
     * Needs {@link Flavor#CURRENT_THREAD}.
     */
    boolean startPaused() default false;

    /** The runtime a {@link KyotoTest} runs on. */
    enum Flavor {
        /** One current-thread runtime: tasks run on the test thread, inside {@code blockOn}. */
        CURRENT_THREAD,
        /** One multi-thread runtime with {@link KyotoTest#workerThreads()} workers. */
        MULTI_THREAD,
        /** Two invocations: first on a current-thread runtime, then on a multi-thread one. */
        BOTH
    }
}
