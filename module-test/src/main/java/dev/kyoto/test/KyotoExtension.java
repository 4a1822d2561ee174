package dev.kyoto.test;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link KyotoTest}: it turns one annotated method into one
 * invocation per runtime flavour, each with a runtime of its own. Register it through the
 * annotation; it is public only because JUnit instantiates it.
 *
 * <p>A test template (rather than a plain {@code @Test} with a callback) is what lets
 * {@link KyotoTest.Flavor#BOTH} report two separate invocations, each with its own name, result
 * and runtime.
 */
public final class KyotoExtension implements TestTemplateInvocationContextProvider {

    /** Called by JUnit, which finds the extension through {@link KyotoTest}'s {@code @ExtendWith}. */
    public KyotoExtension() {
    }

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().flatMap(KyotoExtension::configuration).isPresent();
    }

    /**
     * Checks the annotation's attributes, then yields one invocation for the current-thread or
     * the multi-thread flavour, or both in that order.
     *
     * @throws ExtensionConfigurationException if the attributes contradict each other, naming the fix
     */
    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        Method method = context.getRequiredTestMethod();
        KyotoTest config = configuration(method).orElseThrow();
        if (config.startPaused() && config.flavor() != KyotoTest.Flavor.CURRENT_THREAD) {
            throw new ExtensionConfigurationException("@KyotoTest on " + method.getName() + ": startPaused = true needs "
                    + "flavor = CURRENT_THREAD, was " + config.flavor() + "; the paused clock makes time a function of "
                    + "what one thread does, so a multi-thread runtime cannot start paused");
        }
        if (config.workerThreads() <= 0 && config.flavor() != KyotoTest.Flavor.CURRENT_THREAD) {
            throw new ExtensionConfigurationException("@KyotoTest on " + method.getName()
                    + ": workerThreads must be greater than 0, was " + config.workerThreads());
        }
        KyotoInvocation current = KyotoInvocation.currentThread(config.startPaused());
        KyotoInvocation multi = KyotoInvocation.multiThread(config.workerThreads());
        return switch (config.flavor()) {
            case CURRENT_THREAD -> Stream.of(current);
            case MULTI_THREAD -> Stream.of(multi);
            case BOTH -> Stream.of(current, multi);
        };
    }

    private static Optional<KyotoTest> configuration(Method method) {
        // findAnnotation, not getAnnotation: @KyotoTest may sit on a user's own composed annotation.
        return AnnotationSupport.findAnnotation(method, KyotoTest.class);
    }
}
