/**
 * Coordination between tasks that wait by returning pending, never by blocking a thread.
 *
 * <ul>
 *   <li>{@link dev.kyoto.runtime.sync.Oneshot}: one value from one sender to one receiver.</li>
 *   <li>{@link dev.kyoto.runtime.sync.Mpsc}: many senders, one receiver; bounded (senders wait
 *       for space) or unbounded.</li>
 *   <li>{@link dev.kyoto.runtime.sync.Broadcast}: many senders, many receivers, each receiver
 *       sees every value (a slow one is told how many it missed).</li>
 *   <li>{@link dev.kyoto.runtime.sync.Watch}: the latest of a changing value, for many readers.</li>
 *   <li>{@link dev.kyoto.runtime.sync.Notify}: wake the oldest, the newest or all waiting tasks,
 *       no data.</li>
 *   <li>{@link dev.kyoto.runtime.sync.Semaphore}: a fair count of permits.</li>
 *   <li>{@link dev.kyoto.runtime.sync.Mutex}: a fair lock around a value, held across waits.</li>
 *   <li>{@link dev.kyoto.runtime.sync.RwLock}: a fair reader-writer lock around a value.</li>
 *   <li>{@link dev.kyoto.runtime.sync.OnceCell}: a value set once, by one asynchronous
 *       initialiser at a time.</li>
 *   <li>{@link dev.kyoto.runtime.sync.Barrier}: a fixed number of tasks meet, generation after
 *       generation.</li>
 * </ul>
 *
 * <p>Every waiting computation here follows the same rules. It does nothing until first polled.
 * Each poll spends one unit of the task's cooperative budget (given back when it finds nothing to
 * do), so a task that keeps finding its primitive ready still yields to others. Cancelling it
 * ({@link dev.kyoto.runtime.Async#cancel()}) leaves the primitive as if it had never waited: no
 * permit, message or notification is lost, and its waiter node leaves the queue. No lock is held
 * while a waker runs. Waiters queue in the order they first polled.
 *
 * <p>Closing replaces Rust's drop: a sender, receiver, permit or guard that is no longer needed
 * must be closed (they are {@link java.lang.AutoCloseable}), or the other side waits for it.
 */
package dev.kyoto.runtime.sync;
