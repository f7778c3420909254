package org.pararnn.lm.tasks;

import org.pararnn.lm.data.Batch;

/**
 * A fixed set of task sequences ({@code tokens} and {@code targets}, {@code [count][length]}, −1 where nothing is
 * predicted), as the paper's experiments use: generated once, then read in order or by index.
 */
public final class SequenceSet {
    private final int count;
    private final int length;
    private final int[] tokens;
    private final int[] targets;

    SequenceSet(int count, int length) {
        this.count = count;
        this.length = length;
        long n = (long) count * length;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(count + " sequences of " + length + " steps exceed one Java array ("
                    + n + " tokens)");
        }
        this.tokens = new int[(int) n];
        this.targets = new int[(int) n];
    }

    public int count() {
        return count;
    }

    public int length() {
        return length;
    }

    int[] tokens() {
        return tokens;
    }

    int[] targets() {
        return targets;
    }

    /** Copies sequence {@code index} into row {@code row} of {@code into}. */
    public void copy(int index, Batch into, int row) {
        System.arraycopy(tokens, index * length, into.tokens, row * length, length);
        System.arraycopy(targets, index * length, into.targets, row * length, length);
    }

    /**
     * Sequences {@code [first, first + into.batch)} into {@code into}; rows past the end are filled with token 0 and
     * no target, so they count for nothing. Returns the number of real sequences copied.
     */
    public int batchAt(int first, Batch into) {
        if (into.steps != length) {
            throw new IllegalArgumentException("batch of " + into.steps + " steps for sequences of " + length);
        }
        int n = Math.max(0, Math.min(into.batch, count - first));
        for (int r = 0; r < n; r++) {
            copy(first + r, into, r);
        }
        java.util.Arrays.fill(into.tokens, n * length, into.tokens.length, 0);
        java.util.Arrays.fill(into.targets, n * length, into.targets.length, -1);
        return n;
    }
}
