package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/** {@code logits = x · Wᵀ + b} with {@code W [V][D]}, {@code b [V]}. */
final class LinearHead implements Head {
    private final int d;
    private final int v;
    private final Parameter weight;
    private final Parameter bias;
    private final Linear map;

    LinearHead(int dim, int vocab) {
        this.d = dim;
        this.v = vocab;
        this.weight = Parameter.of("head.weight", true, vocab, dim);
        this.bias = Parameter.of("head.bias", false, vocab);
        this.map = new Linear(dim, vocab);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public void initialize(SplittableRandom rnd) {
        Init.uniform(rnd, weight.data(), 1.0 / Math.sqrt(d));
    }

    @Override
    public void forward(Ops ops, float[] x, float[] logits, int rows) {
        map.forward(ops, x, 0, d, weight.data(), logits, 0, v, rows);
        float[] b = bias.data();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < v; j++) {
                logits[r * v + j] += b[j];
            }
        }
    }

    @Override
    public void backward(Ops ops, float[] dLogits, float[] dx, int rows) {
        map.backward(ops, dLogits, 0, v, weight.gradData(), dx, 0, d, false);
        float[] gb = bias.gradData();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < v; j++) {
                gb[j] += dLogits[r * v + j];
            }
        }
    }
}
