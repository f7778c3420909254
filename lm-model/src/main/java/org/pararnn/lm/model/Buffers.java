package org.pararnn.lm.model;

/**
 * Activation storage of a block, sized for a number of rows and reused while the batch shape stays the
 * same, so the training loop does not allocate activations per step.
 */
final class Buffers {
    private int rows = -1;

    /** True when the caller must reallocate for {@code newRows}. */
    boolean resize(int newRows) {
        if (newRows == rows) {
            return false;
        }
        rows = newRows;
        return true;
    }
}
