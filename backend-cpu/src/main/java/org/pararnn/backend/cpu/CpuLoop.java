package org.pararnn.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.pararnn.api.spi.ParallelLoop;

/** A work-stealing pool of daemon threads; {@code forEach} blocks until every task is done. */
final class CpuLoop implements ParallelLoop, AutoCloseable {
    private final ForkJoinPool pool;
    private final int threads;

    CpuLoop(int threads) {
        this.threads = threads;
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
        pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(task)).join();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
