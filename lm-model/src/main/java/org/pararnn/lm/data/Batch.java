package org.pararnn.lm.data;

/**
 * Inputs {@code tokens [B][T]} and {@code targets [B][T]} (−1 where nothing is predicted). Sources
 * refill one instance in place, so the training loop does not allocate per step.
 */
public final class Batch {
    public final int batch;
    public final int steps;
    public final int[] tokens;
    public final int[] targets;

    public Batch(int batch, int steps) {
        if (batch <= 0 || steps <= 0) {
            throw new IllegalArgumentException("batch and steps must be positive, got " + batch + " and " + steps);
        }
        this.batch = batch;
        this.steps = steps;
        this.tokens = new int[batch * steps];
        this.targets = new int[batch * steps];
    }
}
