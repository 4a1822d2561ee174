package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * One run of a test class through a JUnit launcher of its own, on the calling thread, with what
 * JUnit reported for every test and container: how the kit's tests see what a user of the kit
 * would see. The classes run this way are nested in the tests that use them, so that surefire
 * (which skips nested classes) never runs them on their own.
 */
final class EngineRun {
    /** What JUnit reported when one test or container finished. */
    record Outcome(TestIdentifier id, TestExecutionResult result) {
        String displayName() {
            return id.getDisplayName();
        }

        TestExecutionResult.Status status() {
            return result.getStatus();
        }

        Optional<Throwable> failure() {
            return result.getThrowable();
        }
    }

    private final List<Outcome> outcomes;

    private EngineRun(List<Outcome> outcomes) {
        this.outcomes = outcomes;
    }

    /** Discovers and runs {@code testClass}. */
    static EngineRun of(Class<?> testClass) {
        return of(testClass, Map.of());
    }

    /** Discovers and runs {@code testClass} with the given JUnit configuration parameters. */
    static EngineRun of(Class<?> testClass, Map<String, String> configuration) {
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(DiscoverySelectors.selectClass(testClass))
                .configurationParameters(configuration)
                .build();
        List<Outcome> outcomes = new CopyOnWriteArrayList<>();
        LauncherFactory.create().execute(request, new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                outcomes.add(new Outcome(id, result));
            }
        });
        return new EngineRun(List.copyOf(outcomes));
    }

    /** The tests that ran (for a test template: its invocations), in the order they finished. */
    List<Outcome> tests() {
        return outcomes.stream().filter(o -> o.id().isTest()).toList();
    }

    /** The one test that ran; fails if there were more or none. */
    Outcome onlyTest() {
        List<Outcome> tests = tests();
        assertEquals(1, tests.size(), () -> "tests run: " + tests);
        return tests.getFirst();
    }

    /** The container JUnit reported under {@code displayName}, such as a test template's method. */
    Outcome container(String displayName) {
        return outcomes.stream()
                .filter(o -> o.id().isContainer() && o.displayName().equals(displayName))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no container " + displayName + " among " + outcomes));
    }

    /** Everything JUnit reported, engines and classes included, in the order it finished. */
    List<Outcome> all() {
        return outcomes;
    }
}
