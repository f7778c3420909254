package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/**
 * The gated MLP block: {@code x += W_down·(SiLU(g) ⊙ u)} with {@code [g, u] = W_up·RMSNorm(x)}
 * ({@code W_up [2F][D]}: the gate's {@code F} rows first, then the up rows).
 */
final class MlpBlock implements Layer {
    private final int d;
    private final int f;
    private final Parameter norm;
    private final Parameter up;
    private final Parameter down;
    private final Linear upMap;
    private final Linear downMap;
    private final List<Parameter> params;

    // Activations on the backend's ops, [rows][width] row-major (rows = batch · steps), kept for backward.
    private final DeviceBuffers buffers = new DeviceBuffers();
    /** RMSNorm of the stream as the block received it. */
    private final InputNorm inputNorm;
    /** {@code [rows][2F]}: W_up · xNorm; each row is the gate g (first F) then the up value u (last F). */
    private DeviceArray upOut;
    /** {@code [rows][F]}: σ(g). */
    private DeviceArray gateSig;
    /** {@code [rows][F]}: SiLU(g) ⊙ u, the down projection's input. */
    private DeviceArray hidden;
    /** {@code [rows][F]}: ∂L/∂hidden. */
    private DeviceArray dHidden;
    /** {@code [rows][2F]}: ∂L/∂upOut. */
    private DeviceArray dUpOut;
    /** The backend's ops. */
    private Ops ops;

    MlpBlock(String prefix, int dim, int hidden) {
        this.d = dim;
        this.f = hidden;
        norm = Parameter.of(prefix + "norm.weight", false, dim);
        inputNorm = new InputNorm(norm, dim);
        up = Parameter.of(prefix + "up.weight", true, 2 * hidden, dim);
        down = Parameter.of(prefix + "down.weight", true, dim, hidden);
        upMap = new Linear(dim, 2 * hidden);
        downMap = new Linear(hidden, dim);
        params = new ArrayList<>(List.of(norm, up, down));
    }

    /** The backend's ops run this block, on its parameters placed there. */
    @Override
    public void solver(org.pararnn.api.RnnSolver solver) {
        this.ops = solver.backend().ops();
        for (Parameter p : params) {
            p.place(ops);
        }
    }

    @Override
    public void initialize(java.util.SplittableRandom rnd) {
        java.util.Arrays.fill(norm.data(), 1f);
        Init.uniform(rnd, up.data(), 1.0 / Math.sqrt(d));
        Init.uniform(rnd, down.data(), 1.0 / Math.sqrt(f));
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public LayerState newState(int batch) {
        return LayerState.NONE;
    }

    private void ensure(int rows) {
        if (!buffers.resize(ops, rows)) {
            return;
        }
        upOut = buffers.floats("upOut", (long) rows * 2 * f);
        hidden = buffers.floats("hidden", (long) rows * f);
        gateSig = buffers.floats("gateSig", (long) rows * f);
        dHidden = buffers.floats("dHidden", (long) rows * f);
        dUpOut = buffers.floats("dUpOut", (long) rows * 2 * f);
    }

    @Override
    public void forward(DeviceArray x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        Matrix xNorm = inputNorm.forward(ops, x, rows);
        upMap.forward(ops, xNorm, up.valueArray(), Matrix.of(upOut, rows, 2 * f), false);
        // hidden = SiLU(gate) ⊙ value, the gate and the value being the two halves of each row of upOut.
        ops.siluGate(new Matrix(upOut, 0, rows, f, 2 * f), new Matrix(upOut, f, rows, f, 2 * f), Matrix.of(gateSig, rows, f),
                Matrix.of(hidden, rows, f));
        // x += W_down·hidden, accumulated straight into the residual stream.
        downMap.forward(ops, Matrix.of(hidden, rows, f), down.valueArray(), Matrix.of(x, rows, d), true);
    }

    @Override
    public void backward(DeviceArray dx, int batch, int steps) {
        int rows = batch * steps;
        downMap.backward(ops, Matrix.of(dx, rows, d), down.gradArray(), Matrix.of(dHidden, rows, f), false);
        ops.siluGateBackward(new Matrix(upOut, 0, rows, f, 2 * f), new Matrix(upOut, f, rows, f, 2 * f),
                Matrix.of(gateSig, rows, f), Matrix.of(dHidden, rows, f), new Matrix(dUpOut, 0, rows, f, 2 * f),
                new Matrix(dUpOut, f, rows, f, 2 * f));
        upMap.backward(ops, Matrix.of(dUpOut, rows, 2 * f), up.gradArray(), inputNorm.gradNormed(), false);
        inputNorm.backward(ops, dx, true, rows);
    }
}
