package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.spi.Activations;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.lm.nn.Kernels;
import org.pararnn.lm.nn.Rows;
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

    private final Buffers buffers = new Buffers();
    private float[] xin;
    private float[] a;
    private float[] inv;
    private float[] h;
    private float[] m;
    private float[] sg;
    private ParallelLoop loop;
    private float[] gainParts;
    private Activations activations = Activations.STANDARD;
    private float[] gm;
    private float[] gh;
    private float[] ga;

    MlpBlock(String prefix, int dim, int hidden) {
        this.d = dim;
        this.gainParts = new float[Kernels.GAIN_BLOCKS * dim];
        this.f = hidden;
        norm = Parameter.of(prefix + "norm.weight", false, dim);
        up = Parameter.of(prefix + "up.weight", true, 2 * hidden, dim);
        down = Parameter.of(prefix + "down.weight", true, dim, hidden);
        upMap = new Linear(dim, 2 * hidden);
        downMap = new Linear(hidden, dim);
        params = new ArrayList<>(List.of(norm, up, down));
    }

    /** The backend's threads and element-wise kernels run this block's row-parallel work. */
    void backend(org.pararnn.api.spi.Backend backend) {
        this.loop = backend.loop();
        this.activations = backend.activations();
    }

    void initialize(java.util.SplittableRandom rnd) {
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
        xin = new float[rows * d];
        a = new float[rows * d];
        inv = new float[rows];
        h = new float[rows * 2 * f];
        m = new float[rows * f];
        sg = new float[rows * f];
        gm = new float[rows * f];
        gh = new float[rows * 2 * f];
        ga = new float[rows * d];
    }

    @Override
    public void forward(float[] x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        System.arraycopy(x, 0, xin, 0, rows * d);
        Rows.forEach(loop, rows, d, (from, to) -> Kernels.rmsNorm(x, 0, d, norm.data(), a, 0, d, inv, from, to, d));
        upMap.forward(a, 0, d, up.data(), h, 0, 2 * f, rows);
        Rows.forEach(loop, rows, f, (from, to) -> {
            for (int r = from; r < to; r++) {
                System.arraycopy(h, r * 2 * f, sg, r * f, f);
            }
            activations.sigmoid(sg, from * f, (to - from) * f);
            for (int r = from; r < to; r++) {
                int hi = r * 2 * f;
                int mi = r * f;
                for (int j = 0; j < f; j++) {
                    m[mi + j] = h[hi + j] * sg[mi + j] * h[hi + f + j];
                }
            }
        });
        // x += W_down·m, accumulated straight into the residual stream.
        downMap.forward(m, 0, f, down.data(), x, 0, d, true, rows);
    }

    @Override
    public void backward(float[] dx, int batch, int steps) {
        int rows = batch * steps;
        downMap.backward(dx, 0, d, down.gradData(), gm, 0, f, false);
        Rows.forEach(loop, rows, f, (from, to) -> {
            for (int r = from; r < to; r++) {
                int hi = r * 2 * f;
                int mi = r * f;
                // Two loops, one store stream each: the JIT vectorises them (two streams into one array it
                // does not).
                for (int j = 0; j < f; j++) {
                    float g = h[hi + j];
                    float s = sg[mi + j];
                    gh[hi + j] = gm[mi + j] * h[hi + f + j] * s * (1f + g * (1f - s));
                }
                for (int j = 0; j < f; j++) {
                    gh[hi + f + j] = gm[mi + j] * h[hi + j] * sg[mi + j];
                }
            }
        });
        upMap.backward(gh, 0, 2 * f, up.gradData(), ga, 0, d, false);
        Kernels.rmsNormGainGrad(loop, xin, 0, d, inv, ga, 0, d, norm.gradData(), gainParts, rows, d);
        Rows.forEach(loop, rows, d, (from, to) ->
                Kernels.rmsNormBackward(xin, 0, d, norm.data(), inv, ga, 0, d, dx, 0, d, true, from, to, d));
    }
}
