package org.pararnn.lm.model;

import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Parameter;

/**
 * The RMSNorm a stage applies to the stream it receives ({@code RnnBlock}, {@code MlpBlock}, the tied
 * head), with what its backward needs kept from the forward pass, through the backend's {@link Ops}
 * (the host ops on views of these arrays until the model's activations move onto the backend's own
 * arrays). The gain is the owner's parameter.
 */
final class InputNorm {
    private final int d;
    private final Parameter gain;
    private final Buffers buffers = new Buffers();
    /** {@code [rows][D]}: the stream x as the stage received it. */
    private float[] xIn;
    /** {@code [rows][D]}: RMSNorm(xIn), the stage's input. */
    private float[] xNorm;
    /** {@code [rows]}: 1 / rms of each row of xIn. */
    private float[] xInvRms;
    /** {@code [rows][D]}: ∂L/∂xNorm, filled by the stage before {@link #backward}. */
    private float[] dXNorm;
    /** The arrays above as the ops see them (views, no copies). */
    private DeviceArray xInA;
    private DeviceArray xNormA;
    private DeviceArray xInvRmsA;
    private DeviceArray dXNormA;

    InputNorm(Parameter gain, int dim) {
        this.d = dim;
        this.gain = gain;
    }

    /** RMSNorm of {@code x [rows][D]} by {@code ops}; returns xNorm. */
    float[] forward(Ops ops, float[] x, int rows) {
        if (buffers.resize(rows)) {
            xIn = new float[rows * d];
            xNorm = new float[rows * d];
            xInvRms = new float[rows];
            dXNorm = new float[rows * d];
            xInA = HostArray.of("xIn", xIn);
            xNormA = HostArray.of("xNorm", xNorm);
            xInvRmsA = HostArray.of("xInvRms", xInvRms);
            dXNormA = HostArray.of("dXNorm", dXNorm);
        }
        System.arraycopy(x, 0, xIn, 0, rows * d);
        ops.rmsNorm(Matrix.of(xInA, rows, d), HostArray.of(gain.name(), gain.data()),
                Matrix.of(xNormA, rows, d), xInvRmsA);
        return xNorm;
    }

    /** Where the stage writes ∂L/∂xNorm for {@link #backward}. */
    float[] gradNormed() {
        return dXNorm;
    }

    /** Adds the gain's gradient and writes (or, {@code accumulate}, adds) ∂L/∂x into {@code dx}. */
    void backward(Ops ops, float[] dx, boolean accumulate, int rows) {
        ops.rmsNormBackward(Matrix.of(xInA, rows, d), HostArray.of(gain.name(), gain.data()), xInvRmsA,
                Matrix.of(dXNormA, rows, d), Matrix.of(HostArray.of("dx", dx), rows, d), accumulate,
                HostArray.of(gain.name() + ".grad", gain.gradData()));
    }
}
