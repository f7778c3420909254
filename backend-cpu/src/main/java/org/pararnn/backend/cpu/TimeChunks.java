package org.pararnn.backend.cpu;

/**
 * How the CPU backend cuts a sequence into time chunks, for the chunked scans ({@link CpuScan}) and for
 * Newton in time ({@link ChunkedNewton}): the bounds, and how many chunks a shape gets.
 */
final class TimeChunks {
    /** Steps per chunk at least: below this the combine and the fix-up cost more than the chunk saves. */
    static final int MIN_CHUNK = 256;

    private TimeChunks() {
    }

    /** First step of chunk {@code c} of {@code chunks} over {@code steps} steps (chunk sizes differ by at most one). */
    static int start(int steps, int chunks, int c) {
        return (int) ((long) steps * c / chunks);
    }

    /**
     * Chunks per sequence so that {@code sequences} sequences (or sequence × feature-block tasks) make at
     * least {@code wantedTasks} tasks, none shorter than {@link #MIN_CHUNK}; at least one.
     */
    static int count(int sequences, int wantedTasks, int steps) {
        int want = (wantedTasks + sequences - 1) / sequences;
        return Math.max(1, Math.min(want, steps / MIN_CHUNK));
    }
}
