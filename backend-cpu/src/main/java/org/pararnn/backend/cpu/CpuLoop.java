package org.pararnn.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.pararnn.api.spi.ParallelLoop;

/**
 * A work-stealing pool of daemon threads; {@code forEach} blocks until every task is done, and the
 * calling thread takes tasks itself ({@code -Dpararnn.cpu.callerRuns=false}: it only waits).
 */
final class CpuLoop implements ParallelLoop, AutoCloseable {
    private final ForkJoinPool pool;
    private final int threads;
    private final boolean callerRuns;

    CpuLoop(int threads) {
        this(threads, Boolean.parseBoolean(System.getProperty("pararnn.cpu.callerRuns", "true")));
    }

    /** {@code callerRuns}: the calling thread takes tasks too (default); false: it waits for the pool. */
    CpuLoop(int threads, boolean callerRuns) {
        this.threads = threads;
        this.callerRuns = callerRuns;
        this.pool = new ForkJoinPool(threads, p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("pararnn-cpu-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    /** Threads from {@code -Dpararnn.cpu.threads}, else the available processors. */
    static int configuredThreads() {
        String v = System.getProperty("pararnn.cpu.threads");
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dpararnn.cpu.threads must be a positive whole number, got '" + v + "'");
        }
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
     * tasks from one counter until none are left, then the caller joins the helpers. Waking a parked
     * worker takes microseconds on a VM; here that latency overlaps the caller's first task instead of
     * adding to every call, and the caller itself is never parked and woken at the end when it finished
     * last (a fused Newton solve makes 5 such calls in ~1 ms). No deadlock: the caller only ever waits for
     * helpers, and a helper that starts late finds nothing left to claim.
     */
    private void callerRuns(int tasks, IntConsumer task) {
        AtomicInteger next = new AtomicInteger();
        int helpers = Math.min(threads, tasks) - 1;
        ForkJoinTask<?>[] recruited = new ForkJoinTask<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            recruited[h] = pool.submit(() -> claim(next, tasks, task));
        }
        Throwable failure = null;
        try {
            claim(next, tasks, task);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (ForkJoinTask<?> f : recruited) {
            try {
                f.join();
            } catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    /** Runs unclaimed tasks until none are left; after a failure the rest are claimed and skipped. */
    private static void claim(AtomicInteger next, int tasks, IntConsumer task) {
        for (int i = next.getAndIncrement(); i < tasks; i = next.getAndIncrement()) {
            try {
                task.accept(i);
            } catch (RuntimeException | Error e) {
                next.set(tasks);
                throw e;
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
