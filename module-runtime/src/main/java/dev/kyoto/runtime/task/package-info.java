/**
 * Structured concurrency: tasks that belong to an owner, and the signals that end them.
 *
 * <p>{@link dev.kyoto.runtime.task.TaskGroup} (Tokio's {@code JoinSet}) holds the tasks a
 * computation starts and aborts them when it is closed or when the task that opened it ends;
 * {@link dev.kyoto.runtime.task.CancellationToken} is a tree of cancellation signals that any
 * thread may trigger; {@link dev.kyoto.runtime.task.TaskTracker} counts tasks so a server can
 * stop taking work and wait, bounded, for what it has to finish.
 */
package dev.kyoto.runtime.task;
