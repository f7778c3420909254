package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.lm.nn.Kernels;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/** {@code logits = RMSNorm(x) · Eᵀ} with the token embedding {@code E [V][D]} (weights tied, as the reference). */
final class TiedHead implements Head {
    private final int d;
    private final int v;
    private final Parameter embedding;
    private final Parameter norm;
    private final Linear map;
    private final Buffers buffers = new Buffers();
    /** {@code [rows][D]}: the stream as it entered, kept for the norm's backward. */
    private float[] xIn;
    /** {@code [rows][D]}: RMSNorm(x), the projection's input. */
    private float[] xNorm;
    /** {@code [rows]}: 1 / rms of each row of x. */
    private float[] xInvRms;
    /** {@code [rows][D]}: ∂L/∂xNorm. */
    private float[] dXNorm;
    private final float[] gainParts;

    TiedHead(Parameter embedding, int dim, int vocab) {
        this.d = dim;
        this.v = vocab;
        this.embedding = embedding;
        this.norm = Parameter.of("norm.weight", false, dim);
        this.map = new Linear(dim, vocab);
        this.gainParts = new float[Kernels.GAIN_BLOCKS * dim];
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
    public void forward(float[] x, float[] logits, int rows) {
        if (buffers.resize(rows)) {
            xIn = new float[rows * d];
            xNorm = new float[rows * d];
            xInvRms = new float[rows];
            dXNorm = new float[rows * d];
        }
        System.arraycopy(x, 0, xIn, 0, rows * d);
        Kernels.rmsNorm(xIn, 0, d, norm.data(), xNorm, 0, d, xInvRms, 0, rows, d);
        map.forward(xNorm, 0, d, embedding.data(), logits, 0, v, rows);
    }

    @Override
    public void backward(float[] dLogits, float[] dx, int rows) {
        map.backward(dLogits, 0, v, embedding.gradData(), dXNorm, 0, d, false);
        Kernels.rmsNormGainGrad(null, xIn, 0, d, xInvRms, dXNorm, 0, d, norm.gradData(), gainParts, rows, d);
        Kernels.rmsNormBackward(xIn, 0, d, norm.data(), xInvRms, dXNorm, 0, d, dx, 0, d, false, 0, rows, d);
    }
}
