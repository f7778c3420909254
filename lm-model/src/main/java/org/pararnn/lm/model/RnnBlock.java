package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.LayerSolve;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.Cell;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/**
 * The ParaRNN block (the reference's LM recipe; docs/design.md §2):
 * {@code x += α ⊙ W_out·(RMSNorm(cell(SiLU(conv(x_in)))) ⊙ SiLU(z))} with
 * {@code [x_in, z] = W_in·RMSNorm(x)}. The cell runs through the {@link RnnSolver} (any backend, any mode) as a
 * {@link LayerSolve}: on the device's arrays where the backend can keep it there.
 */
final class RnnBlock implements Layer {
    private final int d;
    private final int k;
    private final Cell cell;
    private final CellWeights cellWeights;
    private final Parameter norm;
    private final Parameter inProj;
    private final Parameter convW;
    private final Parameter convB;
    private final Parameter outNorm;
    private final Parameter outProj;
    private final Parameter scale;
    private final Linear inMap;
    private final Linear outMap;
    private final List<Parameter> params = new ArrayList<>();
    private LayerSolve cellSolve;

    // Activations on the backend's ops, [rows][width] row-major (rows = batch · steps), kept for backward.
    private final DeviceBuffers buffers = new DeviceBuffers();
    /** RMSNorm of the stream as the block received it: the input projection's input. */
    private final InputNorm inputNorm;
    /** {@code [rows][2D]}: W_in · xNorm; each row is the conv's input (first D) then the gate z (last D). */
    private DeviceArray proj;
    /** {@code [rows][D]}: the causal depthwise convolution of the first half of proj. */
    private DeviceArray convOut;
    /** {@code [rows][D]}: σ(convOut). */
    private DeviceArray convSig;
    /** {@code [rows][D]}: SiLU(convOut) = convOut · σ(convOut), the cell's input. */
    private DeviceArray cellIn;
    /** The cell output y as the ops see it, from the last forward (a view the cell's solve owns). */
    private Matrix y;
    /** {@code [rows][D]}: RMSNorm(cell output). */
    private DeviceArray yNorm;
    /** {@code [rows]}: 1 / rms of each row of the cell output. */
    private DeviceArray yInvRms;
    /** {@code [rows][D]}: σ(z). */
    private DeviceArray zSig;
    /** {@code [rows][D]}: yNorm ⊙ SiLU(z), the output projection's input. */
    private DeviceArray gated;
    /** {@code [rows][D]}: W_out · gated, added into the stream scaled by α. */
    private DeviceArray out;
    // Gradients, one buffer per quantity.
    /** {@code [rows][D]}: ∂L/∂out = dx ⊙ α. */
    private DeviceArray dOut;
    /** {@code [rows][D]}: ∂L/∂gated. */
    private DeviceArray dGated;
    /** {@code [rows][D]}: ∂L/∂yNorm. */
    private DeviceArray dYNorm;
    /** {@code [rows][D]}: ∂L/∂(cell output). */
    private DeviceArray dCellOut;
    /** {@code [rows][D]}: ∂L/∂(cell input), from the solve. */
    private DeviceArray dCellIn;
    /** {@code [rows][D]}: ∂L/∂convOut. */
    private DeviceArray dConvOut;
    /** {@code [rows][2D]}: ∂L/∂proj (conv input half, gate half). */
    private DeviceArray dProj;
    /** The backend's ops (the cell's parameters live where its solves read them: {@link CellWeights}). */
    private Ops ops;

    RnnBlock(String prefix, Cell cell, int dim, int convKernel) {
        this.d = dim;
        this.k = convKernel;
        this.cell = cell;
        this.cellWeights = new CellWeights(prefix, cell);
        norm = add(Parameter.of(prefix + "norm.weight", false, dim));
        inputNorm = new InputNorm(norm, dim);
        inProj = add(Parameter.of(prefix + "in_proj.weight", true, 2 * dim, dim));
        convW = add(Parameter.of(prefix + "conv.weight", true, dim, 1, convKernel));
        convB = add(Parameter.of(prefix + "conv.bias", false, dim));
        for (Parameter p : cellWeights.parameters()) {
            add(p);
        }
        outNorm = add(Parameter.of(prefix + "out_norm.weight", false, dim));
        outProj = add(Parameter.of(prefix + "out_proj.weight", true, dim, dim));
        scale = add(Parameter.of(prefix + "scale", false, dim));
        inMap = new Linear(dim, 2 * dim);
        outMap = new Linear(dim, dim);
    }

    private Parameter add(Parameter p) {
        params.add(p);
        return p;
    }

    @Override
    public void initialize(java.util.SplittableRandom rnd) {
        java.util.Arrays.fill(norm.data(), 1f);
        java.util.Arrays.fill(outNorm.data(), 1f);
        java.util.Arrays.fill(scale.data(), 1f);
        Init.uniform(rnd, inProj.data(), 1.0 / Math.sqrt(d));
        Init.uniform(rnd, convW.data(), 1.0 / Math.sqrt(k));
        Init.uniform(rnd, convB.data(), 1.0 / Math.sqrt(k));
        Init.uniform(rnd, outProj.data(), 1.0 / Math.sqrt(d));
    }

    @Override
    public List<Cell> cells() {
        return List.of(cell);
    }

    @Override
    public void solver(RnnSolver solver) {
        this.ops = solver.backend().ops();
        for (Parameter p : params) {
            if (!cellWeights.parameters().contains(p)) {
                p.place(ops);
            }
        }
        if (cellSolve != null) {
            cellSolve.close();
        }
        cellSolve = cellWeights.bind(solver);
    }

    @Override
    public void clipRecurrent(float limit) {
        cellWeights.clip(limit);
    }

    @Override
    public String solvePlacement() {
        return cellSolve == null ? null : cellSolve.placement();
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public LayerState newState(int batch) {
        return new LayerState(ops.allocate("convHistory", (long) batch * (k - 1) * d), new float[batch * cell.stateWidth()]);
    }

    @Override
    public SolveReport lastSolve() {
        return cellSolve == null ? null : cellSolve.lastReport();
    }

    private void ensure(int rows) {
        if (!buffers.resize(ops, rows)) {
            return;
        }
        long n = (long) rows * d;
        proj = buffers.floats("proj", 2 * n);
        convOut = buffers.floats("convOut", n);
        convSig = buffers.floats("convSig", n);
        cellIn = buffers.floats("cellIn", n);
        yNorm = buffers.floats("yNorm", n);
        yInvRms = buffers.floats("yInvRms", rows);
        zSig = buffers.floats("zSig", n);
        gated = buffers.floats("gated", n);
        out = buffers.floats("out", n);
        dOut = buffers.floats("dOut", n);
        dGated = buffers.floats("dGated", n);
        dYNorm = buffers.floats("dYNorm", n);
        dCellOut = buffers.floats("dCellOut", n);
        dCellIn = buffers.floats("dCellIn", n);
        dConvOut = buffers.floats("dConvOut", n);
        dProj = buffers.floats("dProj", 2 * n);
    }

    @Override
    public void forward(DeviceArray x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        Matrix xNorm = inputNorm.forward(ops, x, rows);
        inMap.forward(ops, xNorm, inProj.valueArray(), Matrix.of(proj, rows, 2 * d), false);
        ops.causalConv(new Matrix(proj, 0, rows, d, 2 * d), batch, steps, convW.valueArray(), convB.valueArray(), state.convHistory,
                Matrix.of(convOut, rows, d));
        ops.silu(Matrix.of(convOut, rows, d), Matrix.of(convSig, rows, d), Matrix.of(cellIn, rows, d));
        y = cellSolve.forward(cellWeights.arrays(), Matrix.of(cellIn, rows, d), batch, steps, state.cellState, state.cellState);
        ops.rmsNorm(y, outNorm.valueArray(), Matrix.of(yNorm, rows, d), yInvRms);
        // gated = SiLU(z) ⊙ yNorm, z being the second half of each row of proj.
        ops.siluGate(new Matrix(proj, d, rows, d, 2 * d), Matrix.of(yNorm, rows, d), Matrix.of(zSig, rows, d),
                Matrix.of(gated, rows, d));
        outMap.forward(ops, Matrix.of(gated, rows, d), outProj.valueArray(), Matrix.of(out, rows, d), false);
        ops.scaledResidual(Matrix.of(out, rows, d), scale.valueArray(), Matrix.of(x, rows, d));
        if (state.convHistory != null) {
            carry(batch, steps, state);
        }
    }

    /** Keeps the last {@code k−1} conv inputs for the next piece of the sequence (the solve keeps the cell's state). */
    private void carry(int batch, int steps, LayerState state) {
        int h = k - 1;
        float[] hist = HostBridge.down(ops, state.convHistory, new float[batch * h * d], batch * h * d);
        float[] p = HostBridge.down(ops, proj, new float[batch * steps * 2 * d], batch * steps * 2 * d);
        for (int b = 0; b < batch; b++) {
            float[] merged = new float[(h + steps) * d];
            System.arraycopy(hist, b * h * d, merged, 0, h * d);
            for (int t = 0; t < steps; t++) {
                System.arraycopy(p, (b * steps + t) * 2 * d, merged, (h + t) * d, d);
            }
            System.arraycopy(merged, steps * d, hist, b * h * d, h * d);
        }
        if (!ops.takesHostArrays()) {
            ops.upload(hist, 0, state.convHistory, 0, hist.length);
        }
    }

    @Override
    public void backward(DeviceArray dx, int batch, int steps) {
        int rows = batch * steps;
        ops.scaledResidualBackward(Matrix.of(out, rows, d), scale.valueArray(), Matrix.of(dx, rows, d), Matrix.of(dOut, rows, d),
                scale.gradArray());
        outMap.backward(ops, Matrix.of(dOut, rows, d), outProj.gradArray(), Matrix.of(dGated, rows, d), false);
        // gated = SiLU(z) ⊙ yNorm: to z into dProj's second half, to yNorm into dYNorm.
        ops.siluGateBackward(new Matrix(proj, d, rows, d, 2 * d), Matrix.of(yNorm, rows, d), Matrix.of(zSig, rows, d),
                Matrix.of(dGated, rows, d), new Matrix(dProj, d, rows, d, 2 * d), Matrix.of(dYNorm, rows, d));
        ops.rmsNormBackward(y, outNorm.valueArray(), yInvRms, Matrix.of(dYNorm, rows, d),
                Matrix.of(dCellOut, rows, d), false, outNorm.gradArray());
        cellSolve.backward(cellWeights.arrays(), Matrix.of(dCellOut, rows, d), Matrix.of(dCellIn, rows, d));
        ops.siluBackward(Matrix.of(convOut, rows, d), Matrix.of(convSig, rows, d), Matrix.of(dCellIn, rows, d),
                Matrix.of(dConvOut, rows, d));
        ops.causalConvBackward(new Matrix(proj, 0, rows, d, 2 * d), batch, steps, convW.valueArray(), Matrix.of(dConvOut, rows, d),
                new Matrix(dProj, 0, rows, d, 2 * d), convW.gradArray(), convB.gradArray());
        inMap.backward(ops, Matrix.of(dProj, rows, 2 * d), inProj.gradArray(), inputNorm.gradNormed(), false);
        inputNorm.backward(ops, dx, true, rows);
    }
}
