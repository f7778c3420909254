package org.pararnn.lm.data;

/**
 * A source whose held-out data is a fixed, finite set read in order (the paper's protocol) rather than drawn
 * from a generator: evaluations walk it from the first sequence.
 */
public interface FixedHeldOut {
    /** Held-out sequences in the set. */
    int heldOutCount();

    /**
     * Held-out sequences {@code [first, first + into.batch)} into {@code into} (rows past the end carry no target);
     * returns how many real sequences were copied.
     */
    int heldOutBatchAt(int first, Batch into);
}
