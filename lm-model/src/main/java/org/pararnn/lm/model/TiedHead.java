package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/**
 * {@code logits = RMSNorm(x) · Wᵀ}: with the token embedding as {@code W [V][D]} (weights tied, as the reference's
 * language model), or with a matrix of its own (the paper's single-block task models).
 */
final class TiedHead implements Head {
    private final int d;
    private final int v;
    private final Parameter embedding;
    /** Whether {@link #embedding} is this head's own matrix rather than the model's token embedding. */
    private final boolean owned;
    private final Parameter norm;
    private final Linear map;
    /** RMSNorm of the stream: the projection's input. */
    private final InputNorm inputNorm;

    TiedHead(Parameter embedding, int dim, int vocab) {
        this(embedding, false, dim, vocab);
    }

    private TiedHead(Parameter weight, boolean owned, int dim, int vocab) {
        this.d = dim;
        this.v = vocab;
        this.embedding = weight;
        this.owned = owned;
        this.norm = Parameter.of("norm.weight", false, dim);
        this.map = new Linear(dim, vocab);
        this.inputNorm = new InputNorm(norm, dim);
    }

    /** RMSNorm then a projection of its own, without bias. */
    static TiedHead untied(int dim, int vocab) {
        return new TiedHead(Parameter.of("head.weight", true, vocab, dim), true, dim, vocab);
    }

    @Override
    public List<Parameter> parameters() {
        return owned ? List.of(norm, embedding) : List.of(norm);
    }

    @Override
    public void initialize(SplittableRandom rnd) {
        java.util.Arrays.fill(norm.data(), 1f);
        if (owned) {
            Init.uniform(rnd, embedding.data(), 1.0 / Math.sqrt(d));
        }
    }

    @Override
    public void forward(Ops ops, DeviceArray x, DeviceArray logits, int rows) {
        map.forward(ops, inputNorm.forward(ops, x, rows), embedding.valueArray(), Matrix.of(logits, rows, v), false);
    }

    @Override
    public void backward(Ops ops, DeviceArray dLogits, DeviceArray dx, int rows) {
        map.backward(ops, Matrix.of(dLogits, rows, v), embedding.gradArray(), inputNorm.gradNormed(), false);
        inputNorm.backward(ops, dx, false, rows);
    }
}
