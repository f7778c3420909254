package org.pararnn.backend.opencl;

/**
 * How many time chunks a scan over {@code lanes} independent recurrences uses: enough work-items to
 * fill the device ({@code lanes × chunks ≥ target}), no chunk shorter than {@link #MIN_STEPS}, a power
 * of two up to {@link ChunkedScanKernel#MAX_CHUNKS} (one combine work-group per lane). One chunk
 * means a purely sequential walk per lane: no combine, no fix-up.
 */
record Chunking(int target, int forced) {
    /** Below this many steps per chunk the combine and fix-up cost more than the chunk saves. */
    static final int MIN_STEPS = 16;

    int chunks(int lanes, int steps) {
        int want = forced > 0 ? forced : (int) Math.min(Integer.MAX_VALUE, ((long) target + lanes - 1) / lanes);
        int most = Math.max(1, Math.min(ChunkedScanKernel.MAX_CHUNKS, steps / MIN_STEPS));
        int c = Math.max(1, Math.min(want, most));
        return Integer.highestOneBit(c);
    }
}
