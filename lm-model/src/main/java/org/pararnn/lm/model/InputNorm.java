package org.pararnn.lm.model;

import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Parameter;

/**
 * The RMSNorm a stage applies to the stream it receives ({@code RnnBlock}, {@code MlpBlock}, the tied
 * head), with what its backward needs kept from the forward pass, on the backend's {@link Ops} and their
 * arrays. The gain is the owner's parameter.
 */
final class InputNorm {
    private final int d;
    private final Parameter gain;
    private final DeviceBuffers buffers = new DeviceBuffers();
    /** {@code [rows][D]}: the stream x as the stage received it. */
    private DeviceArray xIn;
    /** {@code [rows][D]}: RMSNorm(xIn), the stage's input. */
    private DeviceArray xNorm;
    /** {@code [rows]}: 1 / rms of each row of xIn. */
    private DeviceArray xInvRms;
    /** {@code [rows][D]}: ∂L/∂xNorm, filled by the stage before {@link #backward}. */
    private DeviceArray dXNorm;
    private int rows;

    InputNorm(Parameter gain, int dim) {
        this.d = dim;
        this.gain = gain;
    }

    /** RMSNorm of {@code x [rows][D]} by {@code ops}; returns xNorm. */
    Matrix forward(Ops ops, DeviceArray x, int rows) {
        if (buffers.resize(ops, rows)) {
            xIn = buffers.floats("xIn", (long) rows * d);
            xNorm = buffers.floats("xNorm", (long) rows * d);
            xInvRms = buffers.floats("xInvRms", rows);
            dXNorm = buffers.floats("dXNorm", (long) rows * d);
        }
        this.rows = rows;
        // The stream changes after this stage: keep its input.
        ops.copy(Matrix.of(x, rows, d), Matrix.of(xIn, rows, d));
        ops.rmsNorm(Matrix.of(xIn, rows, d), gain.valueArray(), Matrix.of(xNorm, rows, d), xInvRms);
        return Matrix.of(xNorm, rows, d);
    }

    /** Where the stage writes ∂L/∂xNorm for {@link #backward}. */
    Matrix gradNormed() {
        return Matrix.of(dXNorm, rows, d);
    }

    /** Adds the gain's gradient and writes (or, {@code accumulate}, adds) ∂L/∂x into {@code dx}. */
    void backward(Ops ops, DeviceArray dx, boolean accumulate, int rows) {
        ops.rmsNormBackward(Matrix.of(xIn, rows, d), gain.valueArray(), xInvRms, Matrix.of(dXNorm, rows, d), Matrix.of(dx, rows, d),
                accumulate, gain.gradArray());
    }
}
