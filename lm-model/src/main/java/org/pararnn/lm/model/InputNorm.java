package org.pararnn.lm.model;

import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.ops.RmsNormKernels;
import org.pararnn.lm.nn.Parameter;
import org.pararnn.lm.nn.Rows;

/**
 * The RMSNorm a stage applies to the stream it receives ({@code RnnBlock}, {@code MlpBlock}, the tied
 * head), with what its backward needs kept from the forward pass. The gain is the owner's parameter.
 */
final class InputNorm {
    private final int d;
    private final Parameter gain;
    private final Buffers buffers = new Buffers();
    /** {@code [GAIN_BLOCKS][D]}: partial gain gradients, summed in a fixed order. */
    private final float[] gainParts;
    /** {@code [rows][D]}: the stream x as the stage received it. */
    private float[] xIn;
    /** {@code [rows][D]}: RMSNorm(xIn), the stage's input. */
    private float[] xNorm;
    /** {@code [rows]}: 1 / rms of each row of xIn. */
    private float[] xInvRms;
    /** {@code [rows][D]}: ∂L/∂xNorm, filled by the stage before {@link #backward}. */
    private float[] dXNorm;

    InputNorm(Parameter gain, int dim) {
        this.d = dim;
        this.gain = gain;
        this.gainParts = new float[RmsNormKernels.GAIN_BLOCKS * dim];
    }

    /** RMSNorm of {@code x [rows][D]} (rows in parallel on {@code loop}, null: this thread); returns xNorm. */
    float[] forward(ParallelLoop loop, float[] x, int rows) {
        if (buffers.resize(rows)) {
            xIn = new float[rows * d];
            xNorm = new float[rows * d];
            xInvRms = new float[rows];
            dXNorm = new float[rows * d];
        }
        System.arraycopy(x, 0, xIn, 0, rows * d);
        Rows.forEach(loop, rows, d, (from, to) -> RmsNormKernels.rmsNorm(xIn, 0, d, gain.data(), xNorm, 0, d, xInvRms, from, to, d));
        return xNorm;
    }

    /** Where the stage writes ∂L/∂xNorm for {@link #backward}. */
    float[] gradNormed() {
        return dXNorm;
    }

    /** Adds the gain's gradient and writes (or, {@code accumulate}, adds) ∂L/∂x into {@code dx}. */
    void backward(ParallelLoop loop, float[] dx, boolean accumulate, int rows) {
        RmsNormKernels.rmsNormGainGrad(loop, xIn, 0, d, xInvRms, dXNorm, 0, d, gain.gradData(), gainParts, rows, d);
        Rows.forEach(loop, rows, d, (from, to) ->
                RmsNormKernels.rmsNormBackward(xIn, 0, d, gain.data(), xInvRms, dXNorm, 0, d, dx, 0, d, accumulate, from, to, d));
    }
}
