package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.spi.Activations;
import org.pararnn.api.spi.ParallelLoop;
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
    private ParallelLoop loop;
    /** The backend's ops for the norms (null before a solver is set: the host ops on this thread). */
    private org.pararnn.api.ops.Ops ops;
    private Activations activations = Activations.STANDARD;

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

    /** The backend's threads and element-wise kernels run this block's row-parallel work. */
    @Override
    public void solver(org.pararnn.api.RnnSolver solver) {
        this.loop = solver.backend().loop();
        this.ops = solver.backend().ops();
        this.activations = solver.backend().activations();
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

    @Override
    public void forward(float[] x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        ensure(rows);
        float[] xNorm = inputNorm.forward(ops, x, rows);
        upMap.forward(xNorm, 0, d, up.data(), upOut, 0, 2 * f, rows);
        Rows.forEach(loop, rows, f, (from, to) -> {
            for (int r = from; r < to; r++) {
                System.arraycopy(upOut, r * 2 * f, gateSig, r * f, f);
            }
            activations.sigmoid(gateSig, from * f, (to - from) * f);
            for (int r = from; r < to; r++) {
                int hi = r * 2 * f;
                int mi = r * f;
                for (int j = 0; j < f; j++) {
                    hidden[mi + j] = upOut[hi + j] * gateSig[mi + j] * upOut[hi + f + j];
                }
            }
        });
        // x += W_down·hidden, accumulated straight into the residual stream.
        downMap.forward(hidden, 0, f, down.data(), x, 0, d, true, rows);
    }

    @Override
    public void backward(float[] dx, int batch, int steps) {
        int rows = batch * steps;
        downMap.backward(dx, 0, d, down.gradData(), dHidden, 0, f, false);
        Rows.forEach(loop, rows, f, (from, to) -> {
            for (int r = from; r < to; r++) {
                int hi = r * 2 * f;
                int mi = r * f;
                // Two loops, one store stream each: the JIT vectorises them (two streams into one array it
                // does not).
                for (int j = 0; j < f; j++) {
                    float g = upOut[hi + j];
                    float s = gateSig[mi + j];
                    dUpOut[hi + j] = dHidden[mi + j] * upOut[hi + f + j] * s * (1f + g * (1f - s));
                }
                for (int j = 0; j < f; j++) {
                    dUpOut[hi + f + j] = dHidden[mi + j] * upOut[hi + j] * gateSig[mi + j];
                }
            }
        });
        upMap.backward(dUpOut, 0, 2 * f, up.gradData(), inputNorm.gradNormed(), 0, d, false);
        inputNorm.backward(ops, dx, true, rows);
    }
}
