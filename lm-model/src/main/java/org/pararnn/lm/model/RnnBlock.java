package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Gradients;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.cells.ParaCell;
import org.pararnn.api.spi.Activations;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.lm.nn.Kernels;
import org.pararnn.lm.nn.Rows;
import org.pararnn.lm.nn.Linear;
import org.pararnn.lm.nn.Parameter;

/**
 * The ParaRNN block (DESIGN §2, the reference's LM recipe):
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

    private final Buffers buffers = new Buffers();
    private float[] xin;
    private float[] a;
    private float[] inv1;
    private float[] p;
    private float[] conv;
    private float[] s;
    private float[] nrm;
    private float[] inv2;
    private float[] sz;
    private float[] yn;
    private float[] o;
    private float[] g1;
    private float[] g2;
    private float[] dp;
    private float[] sc;
    private ParallelLoop loop;
    private float[] gainParts;
    private Activations activations = Activations.STANDARD;
    private ForwardPass fwd;

    RnnBlock(String prefix, ParaCell cell, int dim, int convKernel) {
        this.d = dim;
        this.gainParts = new float[Kernels.GAIN_BLOCKS * dim];
        this.k = convKernel;
        this.cell = cell;
        this.cellGrads = Gradients.of(cell);
        norm = add(Parameter.of(prefix + "norm.weight", false, dim));
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

    void initialize(java.util.SplittableRandom rnd) {
        java.util.Arrays.fill(norm.data(), 1f);
        java.util.Arrays.fill(outNorm.data(), 1f);
        java.util.Arrays.fill(scale.data(), 1f);
        Init.uniform(rnd, inProj.data(), 1.0 / Math.sqrt(d));
        Init.uniform(rnd, convW.data(), 1.0 / Math.sqrt(k));
        Init.uniform(rnd, convB.data(), 1.0 / Math.sqrt(k));
        Init.uniform(rnd, outProj.data(), 1.0 / Math.sqrt(d));
    }

    ParaCell cell() {
        return cell;
    }

    void solver(RnnSolver solver) {
        this.solver = solver;
        this.loop = solver.backend().loop();
        this.activations = solver.backend().activations();
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
    public int lastIterations() {
        return fwd == null ? 0 : fwd.report().iterations();
    }

    private void ensure(int rows) {
        if (!buffers.resize(rows)) {
            return;
        }
        xin = new float[rows * d];
        a = new float[rows * d];
        inv1 = new float[rows];
        p = new float[rows * 2 * d];
        conv = new float[rows * d];
        s = new float[rows * d];
        nrm = new float[rows * d];
        inv2 = new float[rows];
        sz = new float[rows * d];
        yn = new float[rows * d];
        o = new float[rows * d];
        g1 = new float[rows * d];
        g2 = new float[rows * d];
        dp = new float[rows * 2 * d];
        sc = new float[rows * d];
    }

    /** The conv kernel transposed to {@code [k][D]}, and one gradient part per batch element. */
    private float[] convT;
    private float[][] convParts = new float[0][];

    private void transposeConv() {
        if (convT == null) {
            convT = new float[k * d];
        }
        Kernels.transposeKernel(convW.data(), convT, d, k);
    }

    @Override
    public void forward(float[] x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        System.arraycopy(x, 0, xin, 0, rows * d);
        Rows.forEach(loop, rows, d, (from, to) -> Kernels.rmsNorm(x, 0, d, norm.data(), a, 0, d, inv1, from, to, d));
        inMap.forward(a, 0, d, inProj.data(), p, 0, 2 * d, rows);
        transposeConv();
        Rows.forEach(loop, batch, steps * d, (from, to) -> {
            Kernels.causalConv(p, 0, 2 * d, convT, convB.data(), state.convHistory, conv, from, to, steps, d, k);
            int i0 = from * steps * d;
            int n = (to - from) * steps * d;
            System.arraycopy(conv, i0, sc, i0, n);
            activations.sigmoid(sc, i0, n);
            for (int i = i0; i < i0 + n; i++) {
                s[i] = conv[i] * sc[i];
            }
        });
        fwd = solver.forward(cell, s, batch, steps, state.cellState);
        float[] y = fwd.output();
        Rows.forEach(loop, rows, d, (from, to) -> {
            Kernels.rmsNorm(y, 0, d, outNorm.data(), nrm, 0, d, inv2, from, to, d);
            for (int r = from; r < to; r++) {
                System.arraycopy(p, r * 2 * d + d, sz, r * d, d);
            }
            activations.sigmoid(sz, from * d, (to - from) * d); // σ(z); SiLU(z) = z·σ(z)
            for (int r = from; r < to; r++) {
                for (int j = 0; j < d; j++) {
                    int i = r * d + j;
                    yn[i] = nrm[i] * p[r * 2 * d + d + j] * sz[i];
                }
            }
        });
        outMap.forward(yn, 0, d, outProj.data(), o, 0, d, rows);
        float[] al = scale.data();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < d; j++) {
                x[r * d + j] += al[j] * o[r * d + j];
            }
        }
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
                System.arraycopy(p, (b * steps + t) * 2 * d, merged, (h + t) * d, d);
            }
            System.arraycopy(merged, steps * d, hist, b * h * d, h * d);
        }
        float[] fin = fwd.finalState();
        System.arraycopy(fin, 0, state.cellState, 0, fin.length);
    }

    @Override
    public void backward(float[] dx, int batch, int steps) {
        int rows = batch * steps;
        float[] al = scale.data();
        float[] gal = scale.gradData();
        // g1 = ∂L/∂o = dx ⊙ α
        for (int r = 0; r < rows; r++) {
            int base = r * d;
            for (int j = 0; j < d; j++) {
                gal[j] += dx[base + j] * o[base + j];
            }
            for (int j = 0; j < d; j++) {
                g1[base + j] = dx[base + j] * al[j];
            }
        }
        // g2 = ∂L/∂yn
        outMap.backward(g1, 0, d, outProj.gradData(), g2, 0, d, false);
        // yn = nrm ⊙ silu(z): gradient to z into dp's right half, to nrm into g1
        Rows.forEach(loop, rows, d, (from, to) -> {
            for (int r = from; r < to; r++) {
                int zi = r * 2 * d + d;
                for (int j = 0; j < d; j++) {
                    int i = r * d + j;
                    float zv = p[zi + j];
                    float sig = sz[i];
                    dp[zi + j] = g2[i] * nrm[i] * sig * (1f + zv * (1f - sig));
                }
                for (int j = 0; j < d; j++) {
                    int i = r * d + j;
                    g1[i] = g2[i] * p[zi + j] * sz[i];
                }
            }
        });
        // g2 = ∂L/∂y through the output norm
        float[] y = fwd.output();
        Kernels.rmsNormGainGrad(loop, y, 0, d, inv2, g1, 0, d, outNorm.gradData(), gainParts, rows, d);
        Rows.forEach(loop, rows, d, (from, to) ->
                Kernels.rmsNormBackward(y, 0, d, outNorm.data(), inv2, g1, 0, d, g2, 0, d, false, from, to, d));
        BackwardPass back = solver.backward(fwd, g2, null, cellGrads);
        float[] gs = back.gradInput();
        Rows.forEach(loop, rows, d, (from, to) -> {
            for (int i = from * d; i < to * d; i++) {
                float sig = sc[i];
                g1[i] = gs[i] * sig * (1f + conv[i] * (1f - sig));
            }
        });
        if (convParts.length < batch) {
            convParts = new float[batch][(k + 1) * d];
        }
        transposeConv();
        Rows.forEach(loop, batch, steps * d, (from, to) -> {
            for (int b = from; b < to; b++) {
                Kernels.causalConvParamPart(p, 0, 2 * d, g1, convParts[b], b, steps, d, k);
            }
            Kernels.causalConvBackward(convT, g1, dp, 0, 2 * d, from, to, steps, d, k);
        });
        Kernels.addConvParts(convParts, batch, convW.gradData(), convB.gradData(), d, k);
        // g2 = ∂L/∂a
        inMap.backward(dp, 0, 2 * d, inProj.gradData(), g2, 0, d, false);
        Kernels.rmsNormGainGrad(loop, xin, 0, d, inv1, g2, 0, d, norm.gradData(), gainParts, rows, d);
        Rows.forEach(loop, rows, d, (from, to) ->
                Kernels.rmsNormBackward(xin, 0, d, norm.data(), inv1, g2, 0, d, dx, 0, d, true, from, to, d));
    }
}
