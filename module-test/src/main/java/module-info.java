/**
 * Kyoto's test kit: tools for testing code written on Kyoto, in the manner of {@code tokio-test}.
 *
 * <p>The kit also hosts the integration tests that span Kyoto's modules, because it is the one
 * module that sees all of them.
 */
module dev.kyoto.test {
    // Tests that use the kit drive Kyoto's runtime, I/O and networking types through it, so they get them too.
    requires transitive dev.kyoto.net;
    // The kit is used from JUnit tests and fails through JUnit's assertions; its users write against both.
    requires transitive org.junit.jupiter.api;

    exports dev.kyoto.test;
}
