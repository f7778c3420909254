package org.pararnn.lm.model;

import java.util.List;
import org.pararnn.lm.data.Rng;

/**
 * Autoregressive sampling that steps the recurrence one token at a time with O(1) state per layer (the
 * conv history and the cell state): the prompt runs as one sequence, then each new token is a
 * sequence of length 1 continuing from the carried state.
 */
public final class Generator {
    private final LanguageModel model;
    private final Rng rng;
    private final float temperature;
    private final int topK;

    public Generator(LanguageModel model, long seed, float temperature, int topK) {
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("--temperature must be ≥ 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("--top-k must be ≥ 0 (0: all tokens), got " + topK);
        }
        if (model.config().positions() > 0) {
            throw new IllegalArgumentException("this model has learned positions for fixed-length task sequences; "
                    + "generation needs a language model (--arch lm)");
        }
        this.model = model;
        this.rng = new Rng(seed);
        this.temperature = temperature;
        this.topK = topK;
    }

    /** {@code count} new tokens after {@code prompt} (which must be non-empty). */
    public int[] generate(int[] prompt, int count) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt must contain at least one token");
        }
        List<LayerState> state = model.newState(1);
        model.forward(prompt, 1, prompt.length, state);
        int v = model.config().vocab();
        int[] out = new int[count];
        int[] one = new int[1];
        float[] logits = model.logits();
        int row = prompt.length - 1;
        for (int i = 0; i < count; i++) {
            out[i] = sample(logits, row * v, v);
            one[0] = out[i];
            if (i + 1 < count) {
                model.forward(one, 1, 1, state);
                logits = model.logits();
                row = 0;
            }
        }
        return out;
    }

    int sample(float[] logits, int off, int v) {
        if (temperature == 0) {
            int best = 0;
            for (int j = 1; j < v; j++) {
                if (logits[off + j] > logits[off + best]) {
                    best = j;
                }
            }
            return best;
        }
        float cut = Float.NEGATIVE_INFINITY;
        if (topK > 0 && topK < v) {
            float[] sorted = java.util.Arrays.copyOfRange(logits, off, off + v);
            java.util.Arrays.sort(sorted);
            cut = sorted[v - topK];
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            max = Math.max(max, logits[off + j]);
        }
        double[] p = new double[v];
        double sum = 0;
        for (int j = 0; j < v; j++) {
            p[j] = logits[off + j] < cut ? 0 : Math.exp((logits[off + j] - max) / temperature);
            sum += p[j];
        }
        double r = rng.nextDouble() * sum;
        for (int j = 0; j < v; j++) {
            r -= p[j];
            if (r < 0) {
                return j;
            }
        }
        return v - 1;
    }
}
