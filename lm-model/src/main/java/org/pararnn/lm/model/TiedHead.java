package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/** {@code logits = RMSNorm(x) · Eᵀ} with the token embedding {@code E [V][D]} (weights tied, as the reference). */
final class TiedHead implements Head {
    private final int d;
    private final int v;
    private final Parameter embedding;
    private final Parameter norm;
    private final Linear map;
    /** RMSNorm of the stream: the projection's input. */
    private final InputNorm inputNorm;

    TiedHead(Parameter embedding, int dim, int vocab) {
        this.d = dim;
        this.v = vocab;
        this.embedding = embedding;
        this.norm = Parameter.of("norm.weight", false, dim);
        this.map = new Linear(dim, vocab);
        this.inputNorm = new InputNorm(norm, dim);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(norm);
    }

    @Override
    public void initialize(SplittableRandom rnd) {
        java.util.Arrays.fill(norm.data(), 1f);
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
