package org.pararnn.api.spi;

import java.util.function.IntConsumer;

/**
 * Runs independent tasks {@code 0..tasks−1}, possibly in parallel, and returns when all are done.
 * Backends supply one so that the generic solvers' embarrassingly parallel parts (evaluating the
 * cell at every {@code t}) use the backend's threads; the default runs them in order.
 */
public interface ParallelLoop {

    ParallelLoop SEQUENTIAL = new ParallelLoop() {
        @Override
        public int parallelism() {
            return 1;
        }

        @Override
        public void forEach(int tasks, IntConsumer task) {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
        }
    };

    /**
     * The JVM's common pool over all processors: the host-side part of the generic solvers (evaluating a
     * cell at every t) for backends whose own work runs on a device.
     */
    ParallelLoop COMMON_POOL = new ParallelLoop() {
        @Override
        public int parallelism() {
            return Runtime.getRuntime().availableProcessors();
        }

        @Override
        public void forEach(int tasks, IntConsumer task) {
            java.util.stream.IntStream.range(0, tasks).parallel().forEach(task);
        }
    };

    /** How many tasks can usefully run at once. */
    int parallelism();

    /** Runs {@code task.accept(i)} for every {@code i} in {@code [0, tasks)}; rethrows the first failure. */
    void forEach(int tasks, IntConsumer task);
}
