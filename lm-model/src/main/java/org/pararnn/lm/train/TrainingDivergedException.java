package org.pararnn.lm.train;

/** The loss or the gradient became NaN/Inf: training stopped, nothing of the bad step was kept. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
