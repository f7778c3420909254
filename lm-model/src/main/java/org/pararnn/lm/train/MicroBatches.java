package org.pararnn.lm.train;

import org.pararnn.lm.data.Batch;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.Loss;
import org.pararnn.lm.model.SolveActivity;

/**
 * How a micro-batch's forward and backward run, its gradient added into the model's accumulators either way: on the
 * model itself ({@link #onModel}), or on replicas side by side, each on a slice of the rows ({@link Shards}).
 */
interface MicroBatches {

    /** Forward and backward of {@code batch}; the loss as the model's forward returns it. */
    Loss forwardBackward(Batch batch);

    /** What the last micro-batch's cell solves did. */
    SolveActivity lastSolves();

    /** Models the work is spread over (saved with checkpoints). */
    int replicas();

    static MicroBatches onModel(LanguageModel model) {
        return new MicroBatches() {
            @Override
            public Loss forwardBackward(Batch b) {
                Loss l = model.forward(b.tokens, b.targets, b.batch, b.steps);
                if (Double.isFinite(l.total())) { // a non-finite loss stops the run before any gradient is used
                    model.backward();
                }
                return l;
            }

            @Override
            public SolveActivity lastSolves() {
                return model.lastSolves();
            }

            @Override
            public int replicas() {
                return 1;
            }
        };
    }
}
