package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
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

    // Activations, [rows][width] row-major (rows = batch · steps), kept from forward for backward.
    private final Buffers buffers = new Buffers();
    /** RMSNorm of the stream as the block received it. */
    private final InputNorm inputNorm;
    /** {@code [rows][2F]}: W_up · xNorm; each row is the gate g (first F) then the up value u (last F). */
    private float[] upOut;
    /** {@code [rows][F]}: σ(g). */
    private float[] gateSig;
    /** {@code [rows][F]}: SiLU(g) ⊙ u, the down projection's input. */
    private float[] hidden;
    /** {@code [rows][F]}: ∂L/∂hidden. */
    private float[] dHidden;
    /** {@code [rows][2F]}: ∂L/∂upOut. */
    private float[] dUpOut;
    /** The backend's ops (null before a solver is set: the host ops on this thread). */
    private org.pararnn.api.ops.Ops ops;

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

    /** The backend's ops run this block's norm and gate. */
    @Override
    public void solver(org.pararnn.api.RnnSolver solver) {
        this.ops = solver.backend().hostOps();
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
        if (!buffers.resize(rows)) {
            return;
        }
        upOut = new float[rows * 2 * f];
        hidden = new float[rows * f];
        gateSig = new float[rows * f];
        dHidden = new float[rows * f];
        dUpOut = new float[rows * 2 * f];
    }

    /** The backend's ops, or the host ops on this thread before a solver is set. */
    private org.pararnn.api.ops.Ops ops() {
        return ops != null ? ops : org.pararnn.api.ops.HostOps.ON_THIS_THREAD;
    }

    @Override
    public void forward(float[] x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        float[] xNorm = inputNorm.forward(ops(), x, rows);
        upMap.forward(ops(), xNorm, 0, d, up.data(), upOut, 0, 2 * f, rows);
        // hidden = SiLU(gate) ⊙ value, the gate and the value being the two halves of each row of upOut.
        DeviceArray upA = HostArray.of("upOut", upOut);
        ops().siluGate(new Matrix(upA, 0, rows, f, 2 * f), new Matrix(upA, f, rows, f, 2 * f),
                Matrix.of(HostArray.of("gateSig", gateSig), rows, f), Matrix.of(HostArray.of("hidden", hidden), rows, f));
        // x += W_down·hidden, accumulated straight into the residual stream.
        downMap.forward(ops(), hidden, 0, f, down.data(), x, 0, d, true, rows);
    }

    @Override
    public void backward(float[] dx, int batch, int steps) {
        int rows = batch * steps;
        downMap.backward(ops(), dx, 0, d, down.gradData(), dHidden, 0, f, false);
        DeviceArray upA = HostArray.of("upOut", upOut);
        DeviceArray dUpA = HostArray.of("dUpOut", dUpOut);
        ops().siluGateBackward(new Matrix(upA, 0, rows, f, 2 * f), new Matrix(upA, f, rows, f, 2 * f),
                Matrix.of(HostArray.of("gateSig", gateSig), rows, f), Matrix.of(HostArray.of("dHidden", dHidden), rows, f),
                new Matrix(dUpA, 0, rows, f, 2 * f), new Matrix(dUpA, f, rows, f, 2 * f));
        upMap.backward(ops(), dUpOut, 0, 2 * f, up.gradData(), inputNorm.gradNormed(), 0, d, false);
        inputNorm.backward(ops(), dx, true, rows);
    }
}
