/**
 * Tools for testing code written on Kyoto: {@link dev.kyoto.test.TaskHarness} polls a computation
 * by hand and counts the wakes it asks for.
 */
package dev.kyoto.test;
