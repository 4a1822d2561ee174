/**
 * Tools for testing code written on Kyoto, in the manner of {@code tokio-test}:
 * {@link dev.kyoto.test.KyotoTest} runs a JUnit test inside a fresh runtime,
 * {@link dev.kyoto.test.MockStream} stands in for a socket and plays a script, and
 * {@link dev.kyoto.test.TaskHarness} polls a computation by hand and counts the wakes it asks for.
 */
package dev.kyoto.test;
