package org.pararnn.lm.nn;

import org.pararnn.api.Tensor;

/**
 * A trainable tensor under its model-wide name (e.g. {@code layers.0.rnn.cell.A}), its gradient
 * accumulator, and whether AdamW's weight decay applies to it (projection matrices and embeddings yes;
 * norms, scales, biases and the cells' diagonal recurrent weights no).
 */
public record Parameter(String name, Tensor value, Tensor grad, boolean decay) {
    public Parameter {
        if (!java.util.Arrays.equals(value.shape(), grad.shape())) {
            throw new IllegalArgumentException("gradient of '" + name + "' has the wrong shape");
        }
    }

    public static Parameter of(String name, boolean decay, int... shape) {
        return new Parameter(name, Tensor.zeros(name, shape), Tensor.zeros(name, shape), decay);
    }

    public float[] data() {
        return value.data();
    }

    public float[] gradData() {
        return grad.data();
    }

    /** The value under the model-wide name (the cells name their tensors locally). */
    public Tensor named() {
        return value.name().equals(name) ? value : new Tensor(name, value.shape(), value.data());
    }
}
