package org.pararnn.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.pararnn.api.spi.ParallelLoop;

/**
 * A work-stealing pool of daemon threads; {@code forEach} blocks until every task is done, and the
 * calling thread takes tasks itself ({@link CpuOptions#CALLER_RUNS} false: it only waits).
 */
final class CpuLoop implements ParallelLoop, AutoCloseable {
    private final ForkJoinPool pool;
    private final int threads;
    private final boolean callerRuns;
    /** Whether bursts keep helpers spinning ({@link CpuOptions#BURSTS} false: each call recruits anew). */
    private final boolean bursts;

    /** The defaults: the caller runs tasks, bursts spin. */
    CpuLoop(int threads) {
        this(threads, true, true);
    }

    /** {@code callerRuns}: the calling thread takes tasks too (default); false: it waits for the pool. */
    CpuLoop(int threads, boolean callerRuns) {
        this(threads, callerRuns, true);
    }

    CpuLoop(int threads, boolean callerRuns, boolean bursts) {
        this.threads = threads;
        this.callerRuns = callerRuns;
        this.bursts = bursts;
        this.pool = new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("pararnn-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    @Override
    public int parallelism() {
        return threads;
    }

    @Override
    public void forEach(int tasks, IntConsumer task) {
        if (tasks <= 0) {
            return;
        }
        if (tasks == 1 || threads == 1) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
            return;
        }
        if (Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == pool) {
            // Already on one of our workers: fork inside the pool instead of blocking a worker on a submit.
            IntStream.range(0, tasks).parallel().forEach(task);
            return;
        }
        if (!callerRuns) {
            pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(task)).join();
            return;
        }
        callerRuns(tasks, task);
    }

    /**
     * The calling thread works too: it recruits {@code threads − 1} pool workers and all of them claim
     * tasks from one counter until none are left, then the caller waits until every claimed task is done.
     * Waking a parked worker takes microseconds on a VM; here that latency overlaps the caller's first task
     * instead of adding to every call. No deadlock: the caller waits for claimed tasks only, never for a
     * helper to start, so a helper stuck behind other work (another caller's burst) is not needed; when it
     * does start it finds nothing left to claim.
     */
    private void callerRuns(int tasks, IntConsumer task) {
        Job j = new Job(tasks, task);
        int helpers = Math.min(threads, tasks) - 1;
        for (int h = 0; h < helpers; h++) {
            pool.submit(j::help);
        }
        j.runAndAwait();
    }

    /**
     * A burst of {@code forEach} calls from the calling thread, such as the passes of one Newton solve:
     * the helpers are recruited once and, between calls, spin for the next one instead of going back to
     * the pool. Each pass then starts on all threads within a fraction of a microsecond rather than after
     * a parked worker's wake-up (12–19 µs median on this 2-core VM, per call). Close it (try-with-resources)
     * to release the helpers; spinning is confined to the burst, so a solve never leaves a core busy.
     */
    Burst burst() {
        return new Burst(bursts);
    }

    /**
     * The calls of one burst. Deadlock-free for the same reason as {@link #forEach}: the caller only waits
     * for tasks that were claimed, never for a helper to arrive, so a helper that starts late (the pool busy
     * with other callers' bursts) or never simply leaves the work to the caller. Used by one thread.
     */
    final class Burst implements ParallelLoop, AutoCloseable {
        private final int helpers;
        private volatile Job job;
        private volatile boolean open = true;

        private Burst(boolean spin) {
            helpers = spin && callerRuns ? threads - 1 : 0;
            for (int h = 0; h < helpers; h++) {
                pool.submit(this::help);
            }
        }

        @Override
        public int parallelism() {
            return threads;
        }

        @Override
        public void forEach(int tasks, IntConsumer task) {
            if (helpers == 0 || tasks <= 1) {
                CpuLoop.this.forEach(tasks, task);
                return;
            }
            Job j = new Job(tasks, task);
            job = j;
            try {
                j.runAndAwait();
            } finally {
                job = null;
            }
        }

        /** A helper: works on each job it sees until the burst closes. */
        private void help() {
            Job done = null;
            while (open) {
                Job j = job;
                if (j != null && j != done) {
                    done = j;
                    j.help();
                } else {
                    Thread.onSpinWait();
                }
            }
        }

        /**
         * Releases the helpers without waiting for them: a running helper leaves its loop at its next look
         * at the flag, one not yet started returns as soon as it starts.
         */
        @Override
        public void close() {
            open = false;
        }
    }

    /**
     * One call's tasks, claimed from a counter by the caller and any helpers; {@code remaining} reaches 0
     * once every task has run or been skipped after a failure, and the last one to finish wakes the caller
     * if it parked.
     */
    private static final class Job {
        /** Spins of the caller before it parks: covers the usual wait for a helper's last task. */
        private static final int SPINS = 1 << 14;
        final int tasks;
        final IntConsumer task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger remaining;
        volatile Throwable failure;
        volatile Thread waiter;

        /**
         * Task 0 is the caller's before any helper is recruited: a helper already awake (its pool scans
         * before parking) could otherwise claim every task of a short call while the caller is still in
         * {@code submit}, and the call would pay a hand-off it was meant to avoid.
         */
        Job(int tasks, IntConsumer task) {
            this.tasks = tasks;
            this.task = task;
            this.remaining = new AtomicInteger(tasks);
            this.next.set(1);
        }

        /** Runs unclaimed tasks until none are left; a failure skips the unclaimed rest and is rethrown. */
        void work() {
            for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
                run(i);
            }
        }

        /** Runs claimed task {@code i}; a failure skips the unclaimed rest and is rethrown. */
        private void run(int i) {
            try {
                task.accept(i);
            } catch (RuntimeException | Error e) {
                failure = e;
                int unclaimed = tasks - Math.min(tasks, next.getAndSet(tasks));
                finished(unclaimed + 1);
                throw e;
            }
            finished(1);
        }

        private void finished(int n) {
            if (remaining.addAndGet(-n) == 0) {
                Thread w = waiter;
                if (w != null) {
                    LockSupport.unpark(w);
                }
            }
        }

        /** A helper's share: a failure is recorded in {@link #failure} for the caller to rethrow. */
        void help() {
            try {
                work();
            } catch (RuntimeException | Error e) {
                // Recorded; the caller rethrows it.
            }
        }

        /** The caller's share, then the wait for tasks claimed by helpers; rethrows the failure. */
        void runAndAwait() {
            Throwable own = null;
            try {
                run(0);
                work();
            } catch (RuntimeException | Error e) {
                own = e;
            }
            for (int spin = 0; remaining.get() > 0 && spin < SPINS; spin++) {
                Thread.onSpinWait();
            }
            if (remaining.get() > 0) {
                waiter = Thread.currentThread();
                while (remaining.get() > 0) {
                    LockSupport.park(this);
                }
            }
            Throwable f = own != null ? own : failure;
            if (f instanceof RuntimeException e) {
                throw e;
            }
            if (f instanceof Error e) {
                throw e;
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
