package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Gradients;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.Tensor;
import org.pararnn.cells.ParaCell;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/**
 * The ParaRNN block (the reference's LM recipe; docs/design.md §2):
 * {@code x += α ⊙ W_out·(RMSNorm(cell(SiLU(conv(x_in)))) ⊙ SiLU(z))} with
 * {@code [x_in, z] = W_in·RMSNorm(x)}. The cell runs through the {@link RnnSolver} (any backend, any mode).
 */
final class RnnBlock implements Layer {
    private final int d;
    private final int k;
    private final ParaCell cell;
    private final Gradients cellGrads;
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
    private RnnSolver solver;

    // Activations, [rows][width] row-major (rows = batch · steps), kept from forward for backward.
    private final Buffers buffers = new Buffers();
    /** RMSNorm of the stream as the block received it: the input projection's input. */
    private final InputNorm inputNorm;
    /** {@code [rows][2D]}: W_in · xNorm; each row is the conv's input (first D) then the gate z (last D). */
    private float[] proj;
    /** {@code [rows][D]}: the causal depthwise convolution of the first half of proj. */
    private float[] convOut;
    /** {@code [rows][D]}: σ(convOut). */
    private float[] convSig;
    /** {@code [rows][D]}: SiLU(convOut) = convOut · σ(convOut), the cell's input. */
    private float[] cellIn;
    /** {@code [rows][D]}: RMSNorm(cell output). */
    private float[] yNorm;
    /** {@code [rows]}: 1 / rms of each row of the cell output. */
    private float[] yInvRms;
    /** {@code [rows][D]}: σ(z). */
    private float[] zSig;
    /** {@code [rows][D]}: yNorm ⊙ SiLU(z), the output projection's input. */
    private float[] gated;
    /** {@code [rows][D]}: W_out · gated, added into the stream scaled by α. */
    private float[] out;
    // Gradients, one buffer per quantity.
    /** {@code [rows][D]}: ∂L/∂out = dx ⊙ α. */
    private float[] dOut;
    /** {@code [rows][D]}: ∂L/∂gated. */
    private float[] dGated;
    /** {@code [rows][D]}: ∂L/∂yNorm. */
    private float[] dYNorm;
    /** {@code [rows][D]}: ∂L/∂(cell output). */
    private float[] dCellOut;
    /** {@code [rows][D]}: ∂L/∂convOut. */
    private float[] dConvOut;
    /** {@code [rows][2D]}: ∂L/∂proj (conv input half, gate half). */
    private float[] dProj;
    /** The backend's ops for the norms (null before a solver is set: the host ops on this thread). */
    private org.pararnn.api.ops.Ops ops;
    /** The last forward's cell solve: its output is the cell output y. */
    private ForwardPass fwd;

    RnnBlock(String prefix, ParaCell cell, int dim, int convKernel) {
        this.d = dim;
        this.k = convKernel;
        this.cell = cell;
        this.cellGrads = Gradients.of(cell);
        norm = add(Parameter.of(prefix + "norm.weight", false, dim));
        inputNorm = new InputNorm(norm, dim);
        inProj = add(Parameter.of(prefix + "in_proj.weight", true, 2 * dim, dim));
        convW = add(Parameter.of(prefix + "conv.weight", true, dim, 1, convKernel));
        convB = add(Parameter.of(prefix + "conv.bias", false, dim));
        for (int i = 0; i < cell.parameters().size(); i++) {
            Tensor t = cell.parameters().get(i);
            boolean decay = t.name().equals("B");
            add(new Parameter(prefix + "cell." + t.name(), t, cellGrads.get(i), decay));
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
    public List<ParaCell> cells() {
        return List.of(cell);
    }

    @Override
    public void solver(RnnSolver solver) {
        this.solver = solver;
        this.ops = solver.backend().hostOps();
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public LayerState newState(int batch) {
        return new LayerState(new float[batch * (k - 1) * d], new float[batch * cell.stateWidth()]);
    }

    @Override
    public SolveReport lastSolve() {
        return fwd == null ? null : fwd.report();
    }

    private void ensure(int rows) {
        if (!buffers.resize(rows)) {
            return;
        }
        proj = new float[rows * 2 * d];
        convOut = new float[rows * d];
        convSig = new float[rows * d];
        cellIn = new float[rows * d];
        yNorm = new float[rows * d];
        yInvRms = new float[rows];
        zSig = new float[rows * d];
        gated = new float[rows * d];
        out = new float[rows * d];
        dOut = new float[rows * d];
        dGated = new float[rows * d];
        dYNorm = new float[rows * d];
        dCellOut = new float[rows * d];
        dConvOut = new float[rows * d];
        dProj = new float[rows * 2 * d];
    }

    @Override
    public void forward(float[] x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        float[] xNorm = inputNorm.forward(ops, x, rows);
        inMap.forward(ops, xNorm, 0, d, inProj.data(), proj, 0, 2 * d, rows);
        ops.causalConv(new Matrix(HostArray.of("proj", proj), 0, rows, d, 2 * d), batch, steps, HostArray.of(convW.name(),
                convW.data()), HostArray.of(convB.name(), convB.data()),
                state.convHistory == null ? null : HostArray.of("convHistory", state.convHistory),
                Matrix.of(HostArray.of("convOut", convOut), rows, d));
        ops.silu(Matrix.of(HostArray.of("convOut", convOut), rows, d), Matrix.of(HostArray.of("convSig", convSig), rows, d),
                Matrix.of(HostArray.of("cellIn", cellIn), rows, d));
        fwd = solver.forward(cell, cellIn, batch, steps, state.cellState);
        float[] y = fwd.output();
        ops.rmsNorm(Matrix.of(HostArray.of("y", y), rows, d), HostArray.of(outNorm.name(), outNorm.data()),
                Matrix.of(HostArray.of("yNorm", yNorm), rows, d), HostArray.of("yInvRms", yInvRms));
        // gated = SiLU(z) ⊙ yNorm, z being the second half of each row of proj.
        ops.siluGate(new Matrix(HostArray.of("proj", proj), d, rows, d, 2 * d), Matrix.of(HostArray.of("yNorm", yNorm), rows, d),
                Matrix.of(HostArray.of("zSig", zSig), rows, d), Matrix.of(HostArray.of("gated", gated), rows, d));
        outMap.forward(ops, gated, 0, d, outProj.data(), out, 0, d, rows);
        ops.scaledResidual(Matrix.of(HostArray.of("out", out), rows, d), HostArray.of(scale.name(), scale.data()),
                Matrix.of(HostArray.of("x", x), rows, d));
        if (state.cellState != null) {
            carry(batch, steps, state);
        }
    }

    /** Keeps the last {@code k−1} conv inputs and the final cell state for the next piece of the sequence. */
    private void carry(int batch, int steps, LayerState state) {
        float[] hist = state.convHistory;
        int h = k - 1;
        for (int b = 0; b < batch; b++) {
            float[] merged = new float[(h + steps) * d];
            System.arraycopy(hist, b * h * d, merged, 0, h * d);
            for (int t = 0; t < steps; t++) {
                System.arraycopy(proj, (b * steps + t) * 2 * d, merged, (h + t) * d, d);
            }
            System.arraycopy(merged, steps * d, hist, b * h * d, h * d);
        }
        float[] fin = fwd.finalState();
        System.arraycopy(fin, 0, state.cellState, 0, fin.length);
    }

    @Override
    public void backward(float[] dx, int batch, int steps) {
        int rows = batch * steps;
        ops.scaledResidualBackward(Matrix.of(HostArray.of("out", out), rows, d), HostArray.of(scale.name(), scale.data()),
                Matrix.of(HostArray.of("dx", dx), rows, d), Matrix.of(HostArray.of("dOut", dOut), rows, d),
                HostArray.of(scale.name() + ".grad", scale.gradData()));
        outMap.backward(ops, dOut, 0, d, outProj.gradData(), dGated, 0, d, false);
        // gated = SiLU(z) ⊙ yNorm: to z into dProj's second half, to yNorm into dYNorm.
        ops.siluGateBackward(new Matrix(HostArray.of("proj", proj), d, rows, d, 2 * d), Matrix.of(HostArray.of("yNorm", yNorm), rows, d),
                Matrix.of(HostArray.of("zSig", zSig), rows, d), Matrix.of(HostArray.of("dGated", dGated), rows, d),
                new Matrix(HostArray.of("dProj", dProj), d, rows, d, 2 * d), Matrix.of(HostArray.of("dYNorm", dYNorm), rows, d));
        float[] y = fwd.output();
        ops.rmsNormBackward(Matrix.of(HostArray.of("y", y), rows, d), HostArray.of(outNorm.name(), outNorm.data()),
                HostArray.of("yInvRms", yInvRms), Matrix.of(HostArray.of("dYNorm", dYNorm), rows, d),
                Matrix.of(HostArray.of("dCellOut", dCellOut), rows, d), false, HostArray.of(outNorm.name() + ".grad", outNorm.gradData()));
        BackwardPass back = solver.backward(fwd, dCellOut, null, cellGrads);
        float[] dCellIn = back.gradInput();
        ops.siluBackward(Matrix.of(HostArray.of("convOut", convOut), rows, d), Matrix.of(HostArray.of("convSig", convSig), rows, d),
                Matrix.of(HostArray.of("dCellIn", dCellIn), rows, d), Matrix.of(HostArray.of("dConvOut", dConvOut), rows, d));
        ops.causalConvBackward(new Matrix(HostArray.of("proj", proj), 0, rows, d, 2 * d), batch, steps,
                HostArray.of(convW.name(), convW.data()), Matrix.of(HostArray.of("dConvOut", dConvOut), rows, d),
                new Matrix(HostArray.of("dProj", dProj), 0, rows, d, 2 * d), HostArray.of(convW.name() + ".grad", convW.gradData()),
                HostArray.of(convB.name() + ".grad", convB.gradData()));
        inMap.backward(ops, dProj, 0, 2 * d, inProj.gradData(), inputNorm.gradNormed(), 0, d, false);
        inputNorm.backward(ops, dx, true, rows);
    }
}
