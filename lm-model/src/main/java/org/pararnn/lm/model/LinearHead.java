package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
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
    private DeviceArray ones;
    private Ops onesOps;
    private int onesRows;

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

    /** A column of {@code rows} ones on {@code ops}: the bias enters and leaves through products with it. */
    private DeviceArray ones(Ops ops, int rows) {
        if (onesOps != ops || onesRows != rows) {
            if (onesOps != null) {
                onesOps.release(ones);
            }
            ones = ops.allocate("ones", rows);
            ops.fill(ones, 1f);
            onesOps = ops;
            onesRows = rows;
        }
        return ones;
    }

    @Override
    public void forward(Ops ops, DeviceArray x, DeviceArray logits, int rows) {
        Matrix out = Matrix.of(logits, rows, v);
        map.forward(ops, Matrix.of(x, rows, d), weight.valueArray(), out, false);
        // logits += 1·bᵀ, row by row: one product of depth 1 (exactly logits + b).
        ops.matmul(Matrix.of(ones(ops, rows), rows, 1), false, Matrix.of(bias.valueArray(), 1, v), false, 1f, 1f, out);
    }

    @Override
    public void backward(Ops ops, DeviceArray dLogits, DeviceArray dx, int rows) {
        Matrix g = Matrix.of(dLogits, rows, v);
        map.backward(ops, g, weight.gradArray(), Matrix.of(dx, rows, d), false);
        ops.matmul(Matrix.of(ones(ops, rows), rows, 1), true, g, false, 1f, 1f, Matrix.of(bias.gradArray(), 1, v));
    }
}
