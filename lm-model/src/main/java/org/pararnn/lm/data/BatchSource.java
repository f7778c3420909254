package org.pararnn.lm.data;

import java.util.Map;

/** Where training and evaluation batches come from: a text corpus or a synthetic task. */
public interface BatchSource {
    /** Size of the token vocabulary (inputs and predicted classes). */
    int vocab();

    /** Sequence length of the batches this source makes. */
    int steps();

    /** Fills {@code into} with a training batch drawn from {@code rng}. */
    void trainBatch(Rng rng, Batch into);

    /** Fills {@code into} with held-out data drawn from {@code rng} (never seen in training). */
    void heldOutBatch(Rng rng, Batch into);

    /** How to rebuild this source: written into checkpoints. */
    Map<String, Object> describe();

    /** Human-readable rendering of tokens (text, or the task's symbols). */
    String render(int[] tokens, int from, int to);
}
