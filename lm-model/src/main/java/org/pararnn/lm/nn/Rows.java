package org.pararnn.lm.nn;

import org.pararnn.api.spi.ParallelLoop;

/**
 * Splits row-wise work over the backend's threads in fixed contiguous ranges. Bodies write disjoint
 * rows only; any reduction across rows is done afterwards in row order, so results do not depend on
 * scheduling or thread count.
 */
public final class Rows {
    /** Below this many element operations a split costs more than it saves. */
    private static final long MIN_WORK = 1 << 14;

    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private Rows() {
    }

    public static void forEach(ParallelLoop loop, int rows, int width, Range body) {
        int threads = loop == null ? 1 : loop.parallelism();
        if (threads <= 1 || (long) rows * width < MIN_WORK || rows < 2) {
            body.run(0, rows);
            return;
        }
        int tasks = Math.min(rows, threads * 4);
        loop.forEach(tasks, i -> body.run((int) ((long) rows * i / tasks), (int) ((long) rows * (i + 1) / tasks)));
    }
}
