package dev.kyoto.test;

import dev.kyoto.runtime.Handle;
import dev.kyoto.runtime.KyotoRuntime;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;

/**
 * One invocation of a {@link KyotoTest} method on one runtime flavour: it names the invocation,
 * builds the runtime before the test's {@code @BeforeEach} methods, hands it to
 * {@link KyotoRuntime} parameters, runs the test's methods with it entered, and closes it after
 * the {@code @AfterEach} methods.
 *
 * <p>The object registers itself as the invocation's only extension, so the runtime it holds is
 * seen by this invocation alone; a {@link KyotoTest.Flavor#BOTH} test gets two of these and two
 * runtimes, never alive at the same time.
 */
final class KyotoInvocation implements TestTemplateInvocationContext, BeforeEachCallback, AfterEachCallback,
        ParameterResolver, InvocationInterceptor {
    /** How long closing waits for blocking work and worker threads before it gives up on them. */
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(5);

    private final boolean multiThread;
    private final int workerThreads;
    private final boolean startPaused;
    private KyotoRuntime runtime;

    private KyotoInvocation(boolean multiThread, int workerThreads, boolean startPaused) {
        this.multiThread = multiThread;
        this.workerThreads = workerThreads;
        this.startPaused = startPaused;
    }

    static KyotoInvocation currentThread(boolean startPaused) {
        return new KyotoInvocation(false, 0, startPaused);
    }

    static KyotoInvocation multiThread(int workerThreads) {
        return new KyotoInvocation(true, workerThreads, false);
    }

    @Override
    public String getDisplayName(int invocationIndex) {
        return multiThread ? "[multi-thread]" : "[current-thread]";
    }

    @Override
    public List<Extension> getAdditionalExtensions() {
        return List.of(this);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        KyotoRuntime.Builder builder = KyotoRuntime.builder();
        if (multiThread) {
            builder.multiThread().workerThreads(workerThreads);
        } else {
            builder.currentThread().startPaused(startPaused);
        }
        runtime = builder.enableAll().build();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (runtime != null) {
            runtime.shutdownTimeout(SHUTDOWN_WAIT);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == KyotoRuntime.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (parameterContext.getDeclaringExecutable() instanceof Constructor<?> || runtime == null) {
            // A test instance can outlive one invocation (PER_CLASS lifecycle, or BOTH's two runs),
            // so a runtime handed to its constructor could be used after it was closed.
            throw new ParameterResolutionException("a @KyotoTest runtime exists only while the test runs: take the "
                    + "KyotoRuntime as a parameter of the test method or of a @BeforeEach or @AfterEach method, not of "
                    + parameterContext.getDeclaringExecutable());
        }
        return runtime;
    }

    @Override
    public void interceptBeforeEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        proceedEntered(invocation);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        proceedEntered(invocation);
    }

    @Override
    public void interceptAfterEachMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        proceedEntered(invocation);
    }

    /** Runs a method of the test with the runtime entered on whichever thread JUnit runs it. */
    private void proceedEntered(Invocation<Void> invocation) throws Throwable {
        try (Handle.EnterGuard entered = runtime.handle().enter()) {
            invocation.proceed();
        }
    }
}
