package dev.kyoto.runtime;

import dev.kyoto.runtime.internal.blocking.BlockingPool;
import dev.kyoto.runtime.internal.driver.Driver;
import dev.kyoto.runtime.internal.driver.DriverSelection;
import dev.kyoto.runtime.internal.jfr.Jfr;
import dev.kyoto.runtime.internal.jmx.Jmx;
import dev.kyoto.runtime.internal.scheduler.CurrentThreadScheduler;
import dev.kyoto.runtime.internal.scheduler.Flavor;
import dev.kyoto.runtime.internal.scheduler.MultiThreadScheduler;
import dev.kyoto.runtime.internal.scheduler.SchedulerHandle;
import dev.kyoto.runtime.internal.task.UnhandledFailures;
import dev.kyoto.runtime.internal.thread.RuntimeThreads;
import dev.kyoto.runtime.internal.time.Clock;
import dev.kyoto.runtime.spi.IoDriver;
import dev.kyoto.runtime.spi.IoDriverMetrics;
import dev.kyoto.runtime.spi.IoDriverProvider;
import dev.kyoto.runtime.spi.RuntimeShutdown;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kyoto runtime: a scheduler, its driver stack (the I/O driver when enabled) and a blocking
 * pool.
 *
 * <pre>{@code
 * try (KyotoRuntime rt = KyotoRuntime.builder().currentThread().enableAll().build()) {
 *     TcpStream s = rt.blockOn(TcpStream.connect("127.0.0.1:7000"));
 *     ...
 * }
 * }</pre>
 *
 * <p>Closing the runtime cancels every task (running each future's {@link Async#cancel()}),
 * shuts the I/O driver down so that pending I/O fails with the {@linkplain #isShutdownError
 * shutdown error}, closes every socket still registered with it (a task that was cancelled never
 * reaches its own {@code close()}), and waits for blocking work.
 */
public final class KyotoRuntime implements AutoCloseable {
    /** One INFO line when a runtime starts and one when it stops; a WARN if its shutdown timed out. */
    private static final Logger LOG = LoggerFactory.getLogger(KyotoRuntime.class);

    private final SchedulerHandle scheduler;
    private final Handle handle;
    private final Driver driver;
    /** The runtime's name: its threads' names, and its MXBean's. */
    private final String name;
    /** Set by the first shutdown, so that only that one is recorded as the runtime's stop. */
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Unregisters the runtime's MXBean; null if none was registered. */
    private final Runnable mxbean;

    private KyotoRuntime(SchedulerHandle scheduler, Driver driver, String name, boolean jmx, String ioDriverName) {
        this.scheduler = scheduler;
        this.driver = driver;
        this.name = name;
        this.handle = Handle.of(scheduler);
        this.mxbean = jmx ? Jmx.register(name, handle.metrics()) : null;
        String flavour = scheduler instanceof CurrentThreadScheduler ? "current-thread" : "multi-thread";
        int workers = handle.metrics().workers();
        Jfr.watchRecordings();
        Jfr.runtimeStarted(name, flavour, workers);
        if (LOG.isInfoEnabled()) {
            LOG.info("runtime {} started: {}{}, I/O {}, timers {}", name, flavour,
                    flavour.equals("multi-thread") ? (workers == 1 ? ", 1 worker" : ", " + workers + " workers") : "",
                    ioDriverName == null ? "off" : "driver " + ioDriverName, driver.timeEnabled() ? "on" : "off");
        }
    }

    /** A builder for a current-thread runtime with nothing enabled. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs {@code future} to completion on the calling thread, driving the runtime's tasks and
     * I/O meanwhile, and returns its value.
     *
     * <p>It is not interruptible: an interrupt neither ends it nor makes it spin, and the thread's
     * interrupt status, if it was set before or during the call, is set when it returns. To give
     * up on a computation, race it with a timeout ({@code Time.timeout}) or a signal of your own.
     *
     * @throws Exception the future's failure, unchanged
     * @throws IllegalStateException if the calling thread is itself driving Kyoto tasks, or the runtime was shut down
     */
    public <T> T blockOn(Async<T> future) throws Exception {
        return handle.blockOn(future);
    }

    /**
     * Spawns {@code future} as a task. On a current-thread runtime it runs while a thread is in
     * {@link #blockOn}; on a multi-thread runtime the workers run it at once.
     */
    public <T> JoinHandle<T> spawn(Async<T> future) {
        return handle.spawn(future);
    }

    /** Spawns {@code future} as a task named {@code name}; see {@link Handle#spawn(String, Async)}. */
    public <T> JoinHandle<T> spawn(String name, Async<T> future) {
        return handle.spawn(name, future);
    }

    /**
     * Runs {@code body} on a new virtual thread with this runtime entered, so that it can
     * {@link Async#await()} Kyoto computations in straight-line code: a virtual task.
     *
     * <pre>{@code
     * rt.spawnVirtual(() -> {
     *     try (TcpStream s = stream) {
     *         ByteBuffer buffer = ByteBuffer.allocateDirect(16 * 1024);
     *         while (s.read(buffer).await() >= 0) {
     *             s.writeAll(buffer.flip()).await();
     *             buffer.clear();
     *         }
     *     }
     *     return null;
     * });
     * }</pre>
     *
     * <p>Its {@link JoinHandle} is like any other: joining it yields the body's value or rethrows
     * its failure unchanged, and a failure nobody joins goes to the runtime's handler for
     * unhandled failures. {@link JoinHandle#abort()} interrupts the thread: the computation it is
     * awaiting is cancelled and {@code await()} throws {@link java.util.concurrent.CancellationException}
     * (as does every later {@code await()} of the body), the JDK's interruptible waits throw
     * {@link InterruptedException}, and the task ends cancelled once the body returns. Shutting the
     * runtime down aborts every virtual task and waits for their bodies to end as it waits for
     * blocking work. The runtime's thread hooks ({@link Builder#onThreadStart}) do not run on
     * virtual threads.
     *
     * @throws IllegalStateException on a current-thread runtime, which polls I/O and timers only
     *         on the thread inside {@link #blockOn}, so that nothing would wake the body's awaits
     */
    public <T> JoinHandle<T> spawnVirtual(ThrowingSupplier<T> body) {
        return handle.spawnVirtual(body);
    }

    /**
     * Runs {@code body} as {@link #spawnVirtual(ThrowingSupplier)} does, on a virtual thread named
     * {@code name} and as a task of that name (what logs say when it fails with nobody waiting).
     */
    public <T> JoinHandle<T> spawnVirtual(String name, ThrowingSupplier<T> body) {
        return handle.spawnVirtual(name, body);
    }

    /** Runs {@code work} on the blocking pool, off the threads that drive tasks. */
    public <T> JoinHandle<T> spawnBlocking(Callable<T> work) {
        return handle.spawnBlocking(work);
    }

    /** The handle of this runtime. */
    public Handle handle() {
        return handle;
    }

    /** The runtime's counters: tasks, queues, workers, blocking pool, timers and I/O driver; see {@link RuntimeMetrics}. */
    public RuntimeMetrics metrics() {
        return handle.metrics();
    }

    /** The I/O driver's counters, if I/O is enabled. */
    public Optional<IoDriverMetrics> ioDriverMetrics() {
        IoDriver io = driver.io();
        return io == null ? Optional.empty() : Optional.of(io.metrics());
    }

    /**
     * Whether {@code t} is the error that I/O fails with because its runtime is shutting down:
     * exactly an {@link java.io.IOException} with the shutdown message and no cause.
     */
    public static boolean isShutdownError(Throwable t) {
        return RuntimeShutdown.isShutdownError(t);
    }

    /**
     * Shuts down and waits at most {@code timeout} for blocking work that is still running; returns
     * within the timeout even if some is stuck (those threads finish on their own).
     */
    public void shutdownTimeout(Duration timeout) {
        shutdown(Objects.requireNonNull(timeout, "timeout").toNanos());
    }

    /**
     * Shuts down: cancels every task, fails pending I/O with the shutdown error, closes the sockets
     * still registered, and waits for blocking work that is still running. Idempotent.
     */
    @Override
    public void close() {
        shutdown(-1);
    }

    private void shutdown(long timeoutNanos) {
        boolean first = stopping.compareAndSet(false, true);
        long start = System.nanoTime();
        long alive = first ? handle.metrics().aliveTasks() : 0;
        Object stop = first ? Jfr.runtimeStopping(name, alive) : null;
        List<String> stillRunning = scheduler.shutdown(timeoutNanos);
        unregisterMXBean();
        Jfr.runtimeStopped(stop);
        if (!first) {
            return;
        }
        if (!stillRunning.isEmpty()) {
            LOG.warn("runtime {} stopped with work still running after its shutdown timeout of {}: {}; those threads "
                    + "finish on their own: make that work end when interrupted or cancelled, or give shutdownTimeout "
                    + "more time", name, Duration.ofNanos(timeoutNanos), String.join(", ", stillRunning));
        } else if (LOG.isInfoEnabled()) {
            LOG.info("runtime {} stopped in {} ms{}", name, (System.nanoTime() - start) / 1_000_000,
                    alive == 0 ? "" : alive == 1 ? "; 1 task still alive was cancelled" : "; " + alive + " tasks still alive were cancelled");
        }
    }

    private void unregisterMXBean() {
        if (mxbean != null) {
            mxbean.run();
        }
    }

    /**
     * Configures and builds a {@link KyotoRuntime}: choose a flavour ({@link #currentThread()}, the
     * default, or {@link #multiThread()}), enable drivers, tune, then {@link #build()}. Bad values
     * are refused at once with an {@link IllegalArgumentException} that names them.
     */
    public static final class Builder {
        /** The environment variable that sets the default number of worker threads. */
        public static final String WORKER_THREADS_ENV = "KYOTO_WORKER_THREADS";

        private boolean multiThread;
        private Integer workerThreads;
        private boolean enableIo;
        private boolean enableTime;
        private IoDriverProvider ioDriver;
        private int eventInterval = 61;
        private Integer globalQueueInterval;
        private int maxBlockingThreads = 512;
        private Duration threadKeepAlive = Duration.ofSeconds(10);
        private String threadName = "kyoto-worker";
        private Runnable onThreadStart = () -> { };
        private Runnable onThreadStop = () -> { };
        private UnhandledFailures unhandled = UnhandledFailures.LOG_WARN;
        private boolean startPaused;
        private boolean virtualThreadWorkers;
        private boolean jmx = true;
        private boolean pollTimeHistogram;

        private Builder() {
        }

        /** Runs every task on the thread inside {@code blockOn} (the default). */
        public Builder currentThread() {
            multiThread = false;
            return this;
        }

        /**
         * Runs tasks on a pool of work-stealing worker threads ({@link #workerThreads}); {@code blockOn}
         * polls its own computation on the calling thread meanwhile.
         */
        public Builder multiThread() {
            multiThread = true;
            return this;
        }

        /**
         * The number of worker threads of a multi-thread runtime. Default: the
         * {@value #WORKER_THREADS_ENV} environment variable if set, else the available processors.
         */
        public Builder workerThreads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("workerThreads must be greater than 0, was " + threads);
            }
            workerThreads = threads;
            return this;
        }

        /**
         * Runs the multi-thread runtime's workers as virtual threads, on the JDK's scheduler for
         * virtual threads (its carrier threads), instead of as platform threads of their own: for
         * applications that serve their connections with virtual tasks
         * ({@link KyotoRuntime#spawnVirtual}). The reactor's wake-ups then reach the virtual
         * threads they wake on the carriers that run them, as the JDK's own poller does (JDK 25
         * runs its read pollers as virtual threads for the same reason), rather than each being
         * handed over from a platform thread, which costs a futex call or two per wake-up
         * ({@code docs/design-notes.md} has the measurements). An {@code Async} server is faster
         * on platform workers.
         *
         * <p>A worker waiting in its selector unmounts like any virtual thread. Tasks then share
         * the carriers with every other virtual thread: a task that computes for long holds a
         * carrier meanwhile. The blocking pool keeps its platform threads.
         */
        public Builder virtualThreadWorkers() {
            virtualThreadWorkers = true;
            return this;
        }

        /**
         * Whether the runtime registers its {@link KyotoRuntimeMXBean} with the platform MBean
         * server while it runs (default: true), as {@code dev.kyoto:type=Runtime,name=NAME}, NAME
         * being the {@link #threadName}. It is registered only where module {@code java.management}
         * is there (on the class path it is; a modular application requires it, or runs with
         * {@code --add-modules java.management}); without it nothing is registered and nothing is
         * paid. When no MBean server exists yet, registering would start the platform's, some
         * 150 ms of CPU: then the MXBean is registered on a thread of its own and appears a moment
         * after {@code build()} returns, which does not wait for it. {@code jmx(false)} saves that
         * CPU where nobody reads JMX. The MBean server holds the MXBean, and through it the
         * runtime, until the runtime is closed, which waits for a registration under way.
         */
        public Builder jmx(boolean register) {
            jmx = register;
            return this;
        }

        /**
         * Has the workers time every task poll into the poll-time histogram of
         * {@link RuntimeMetrics#workerPollTimeHistogramBucketCount} (and of the MXBean's
         * {@code PollTimeHistogram}). Off by default, as in Tokio: timing costs two reads of
         * {@link System#nanoTime()} per poll, 37 ns per poll measured on Tokio's yield_many
         * workload (module-bench's {@code PollTimeHistogramBench}), where a poll that does nothing
         * else takes about as long again.
         */
        public Builder enablePollTimeHistogram() {
            pollTimeHistogram = true;
            return this;
        }

        /** Enables the I/O driver, found through {@link java.util.ServiceLoader} unless {@link #ioDriver} names one. */
        public Builder enableIo() {
            enableIo = true;
            return this;
        }

        /** Enables timers: the time driver joins the driver stack ({@code dev.kyoto.runtime.time}). */
        public Builder enableTime() {
            enableTime = true;
            return this;
        }

        /** Enables I/O and timers. */
        public Builder enableAll() {
            return enableIo().enableTime();
        }

        /** Uses {@code provider} for I/O, bypassing discovery. Implies {@link #enableIo()}. */
        public Builder ioDriver(IoDriverProvider provider) {
            ioDriver = Objects.requireNonNull(provider, "provider");
            enableIo = true;
            return this;
        }

        /** Tasks polled between two non-blocking polls of the driver (default 61). */
        public Builder eventInterval(int ticks) {
            if (ticks <= 0) {
                throw new IllegalArgumentException("eventInterval must be greater than 0, was " + ticks);
            }
            eventInterval = ticks;
            return this;
        }

        /**
         * Tasks polled between two checks of the queue of remotely scheduled tasks. Default: 31 on a
         * current-thread runtime; on a multi-thread one each worker tunes it to check about every
         * 200 µs of polling (between 2 and 127 polls), as Tokio does. Setting it turns tuning off.
         */
        public Builder globalQueueInterval(int ticks) {
            if (ticks <= 0) {
                throw new IllegalArgumentException("globalQueueInterval must be greater than 0, was " + ticks);
            }
            globalQueueInterval = ticks;
            return this;
        }

        /** The most threads the blocking pool grows to (default 512). */
        public Builder maxBlockingThreads(int threads) {
            if (threads <= 0) {
                throw new IllegalArgumentException("maxBlockingThreads must be greater than 0, was " + threads);
            }
            maxBlockingThreads = threads;
            return this;
        }

        /** How long an idle blocking thread waits for work before it exits (default 10 s). */
        public Builder threadKeepAlive(Duration keepAlive) {
            if (keepAlive == null || keepAlive.isNegative() || keepAlive.isZero()) {
                throw new IllegalArgumentException("threadKeepAlive must be a positive duration, was " + keepAlive);
            }
            threadKeepAlive = keepAlive;
            return this;
        }

        /**
         * The name of the runtime's threads (default {@code kyoto-worker}): workers are named
         * {@code NAME-0}, {@code NAME-1}, …, blocking-pool threads {@code NAME-blocking-0}, ….
         */
        public Builder threadName(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("threadName must not be empty, was " + (name == null ? "null" : "\"" + name + "\""));
            }
            threadName = name;
            return this;
        }

        /**
         * Starts the clock paused, for tests: time moves only through {@code TestClock.advance}, or
         * jumps to the next timer when the runtime has nothing else to do. Current-thread runtimes
         * only; implies {@link #enableTime()}.
         */
        public Builder startPaused(boolean paused) {
            startPaused = paused;
            if (paused) {
                enableTime = true;
            }
            return this;
        }

        /**
         * Runs on every runtime thread (worker or blocking) when it starts, before it takes any
         * work. If it throws, the thread takes no work: for a worker, {@link #build()} fails
         * naming the thread; for a blocking-pool thread, the failure is logged with the thread's
         * name, the pool gives the thread's place back, and the blocking work that no thread is
         * left to run fails with a {@link java.util.concurrent.RejectedExecutionException} whose
         * cause is the hook's exception.
         */
        public Builder onThreadStart(Runnable hook) {
            onThreadStart = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Runs on every runtime thread (worker or blocking) when it stops, if its start hook
         * completed. What it throws is logged with the thread's name.
         */
        public Builder onThreadStop(Runnable hook) {
            onThreadStop = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Handles the failure of a task that nobody was waiting for when it failed: no task or
         * thread was joining its {@link JoinHandle} and nobody had asked for
         * {@link JoinHandle#toCompletableFuture()}. The handler gets the task's
         * {@linkplain JoinHandle#name() name} and its failure, at once, on the thread that ran the
         * task's last poll, so it must be quick and must not block; a later join still sees the
         * failure. What the handler throws is logged. By default each such failure is one WARN
         * line (logger {@code dev.kyoto.runtime.internal.task.UnhandledFailures}) with the task's
         * name and the stack trace. Cancellation is never reported.
         */
        public Builder onUnhandledFailure(BiConsumer<String, Throwable> handler) {
            unhandled = UnhandledFailures.to(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Builds the runtime.
         *
         * @throws IllegalStateException if I/O is enabled and no I/O driver can be opened, a
         *         multi-thread runtime is asked to start paused, a current-thread one to run its
         *         workers on virtual threads, or a worker thread could not be
         *         started or its {@link #onThreadStart} hook threw (the message names the thread)
         * @throws IllegalArgumentException if {@value #WORKER_THREADS_ENV} is set to something other than a positive number
         */
        public KyotoRuntime build() {
            Flavor flavor = multiThread ? new Flavor.MultiThread(resolveWorkerThreads()) : new Flavor.CurrentThread();
            if (startPaused && multiThread) {
                throw new IllegalStateException("the paused clock needs a current-thread runtime: it makes time a function of "
                        + "what one thread does; use KyotoRuntime.builder().currentThread().startPaused(true)");
            }
            if (virtualThreadWorkers && !multiThread) {
                throw new IllegalStateException("virtualThreadWorkers() needs a multi-thread runtime: a current-thread "
                        + "runtime has no workers; use KyotoRuntime.builder().multiThread().virtualThreadWorkers()");
            }
            DriverSelection.Opened io = enableIo ? DriverSelection.open(ioDriver) : null;
            Driver driver = new Driver(io == null ? null : io.driver(), io == null ? null : io.name(), enableTime, new Clock(startPaused));
            RuntimeThreads threads = new RuntimeThreads(threadName, onThreadStart, onThreadStop, RuntimeThreads.PLATFORM_DAEMONS);
            RuntimeThreads workerThreads = virtualThreadWorkers
                    ? new RuntimeThreads(threadName, onThreadStart, onThreadStop, RuntimeThreads.VIRTUAL) : threads;
            BlockingPool blocking = new BlockingPool(maxBlockingThreads, threadKeepAlive.toNanos(), threads.named("-blocking"));
            try {
                SchedulerHandle scheduler = switch (flavor) {
                    case Flavor.CurrentThread c -> new CurrentThreadScheduler(driver, blocking, eventInterval,
                            globalQueueInterval != null ? globalQueueInterval : 31, unhandled, pollTimeHistogram);
                    case Flavor.MultiThread m -> new MultiThreadScheduler(driver, blocking, m.workerThreads(), eventInterval,
                            globalQueueInterval != null ? globalQueueInterval : 0, workerThreads, unhandled, pollTimeHistogram);
                };
                return new KyotoRuntime(scheduler, driver, threadName, jmx, io == null ? null : io.name());
            } catch (RuntimeException | Error e) {
                // Nothing has been handed out yet: release what was opened (the selector, above all).
                blocking.shutdown(0);
                driver.shutdown();
                throw e;
            }
        }

        private int resolveWorkerThreads() {
            if (workerThreads != null) {
                return workerThreads;
            }
            String env = System.getenv(WORKER_THREADS_ENV);
            if (env == null || env.isBlank()) {
                return Runtime.getRuntime().availableProcessors();
            }
            try {
                int n = Integer.parseInt(env.strip());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below with the value
            }
            throw new IllegalArgumentException(WORKER_THREADS_ENV + " must be a positive number of worker threads, was \"" + env + "\"");
        }
    }
}
