package org.pararnn.cells;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.Cell;
import org.pararnn.api.Checks;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Scratch;
import org.pararnn.api.Tensor;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;

/**
 * The classic GRU of cuDNN / PyTorch {@code nn.GRUCell}, with full {@code D×D} recurrent matrices:
 * <pre>
 *   r = σ(u_r + W_hr h + b_hr)   z = σ(u_z + W_hz h + b_hz)   n = tanh(u_n + r⊙(W_hn h + b_hn))
 *   h' = (1−z)⊙n + z⊙h,          u = W_ih x + b_ih
 * </pre>
 * Its Jacobian is dense, so exact Newton needs an {@code O(T·D³)}-composition dense scan (small
 * {@code D} only); quasi-Newton ({@code NewtonOptions.withQuasi(true)}) keeps only {@code diag(J)}.
 * Parameters use PyTorch's names and shapes: {@code weight_ih [3D,N]}, {@code weight_hh [3D,D]},
 * {@code bias_ih [3D]}, {@code bias_hh [3D]}, gate order {@code r, z, n}.
 */
public final class DenseGRU implements Cell {
    public static final String TYPE = "pararnn.densegru";

    private final int inputs;
    private final int width;
    private final Tensor weightIh;
    private final Tensor weightHh;
    private final Tensor biasIh;
    private final Tensor biasHh;

    public DenseGRU(int inputs, int width) {
        this.inputs = Checks.positive("input width N", inputs);
        this.width = Checks.positive("state width D", width);
        this.weightIh = Tensor.zeros("weight_ih", 3 * width, inputs);
        this.weightHh = Tensor.zeros("weight_hh", 3 * width, width);
        this.biasIh = Tensor.zeros("bias_ih", 3 * width);
        this.biasHh = Tensor.zeros("bias_hh", 3 * width);
    }

    /** PyTorch's initialisation: every parameter {@code ~ U(−1/√D, 1/√D)}; {@code scale} multiplies the bound. */
    public static DenseGRU create(int inputs, int width, double scale, long seed) {
        DenseGRU cell = new DenseGRU(inputs, width);
        SplittableRandom rnd = new SplittableRandom(seed);
        double bound = scale / Math.sqrt(width);
        for (Tensor t : cell.parameters()) {
            float[] v = t.data();
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
            }
        }
        return cell;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int inputWidth() {
        return inputs;
    }

    @Override
    public int projectedWidth() {
        return 3 * width;
    }

    @Override
    public int stateWidth() {
        return width;
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return JacobianStructure.dense();
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(weightIh, weightHh, biasIh, biasHh);
    }

    @Override
    public void project(Ops ops, float[] x, float[] u, int rows) {
        int uw = 3 * width;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(biasIh.data(), 0, u, r * uw, uw);
        }
        ops.matmul(Matrix.of(HostArray.of("x", x), rows, inputs), false, weight(weightIh.data()), true, 1f, 1f,
                Matrix.of(HostArray.of("u", u), rows, uw));
    }

    @Override
    public void projectBackward(Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows) {
        int uw = 3 * width;
        float[] gb = grads.data("bias_ih");
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < uw; j++) {
                gb[j] += gradU[r * uw + j];
            }
        }
        // dW_ih [3D × N] += Gᵀ · X
        Matrix g = Matrix.of(HostArray.of("gradU", gradU), rows, uw);
        ops.matmul(g, true, Matrix.of(HostArray.of("x", x), rows, inputs), false, 1f, 1f, weight(grads.data("weight_ih")));
        if (gradX != null) {
            ops.matmul(g, false, weight(weightIh.data()), false, 1f, 0f, Matrix.of(HostArray.of("gradX", gradX), rows, inputs));
        }
    }

    /** {@code W_ih}-shaped {@code [3D][N]} data as a matrix. */
    private Matrix weight(float[] data) {
        return Matrix.of(HostArray.of("weight_ih", data), 3 * width, inputs);
    }

    /**
     * {@code a = W_hh h + b_hh} into the per-thread {@link Scratch} buffer ({@code 3D} floats). Safe
     * because every caller here overrides the only default method that also uses it.
     */
    private float[] recurrent(float[] hPrev, int hOff) {
        int uw = 3 * width;
        float[] acc = Scratch.floats(uw);
        float[] w = weightHh.data();
        for (int i = 0; i < uw; i++) {
            float s = biasHh.data()[i];
            int row = i * width;
            for (int j = 0; j < width; j++) {
                s += w[row + j] * hPrev[hOff + j];
            }
            acc[i] = s;
        }
        return acc;
    }

    @Override
    public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
        float[] acc = recurrent(hPrev, hOff);
        int dw = width;
        for (int i = 0; i < dw; i++) {
            float r = ParaCell.sigmoid(u[uOff + i] + acc[i]);
            float z = ParaCell.sigmoid(u[uOff + dw + i] + acc[dw + i]);
            float n = ParaCell.tanh(u[uOff + 2 * dw + i] + r * acc[2 * dw + i]);
            out[outOff + i] = (1f - z) * n + z * hPrev[hOff + i];
        }
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        evaluate(hPrev, hOff, u, uOff, f, fOff, jac, jOff, false);
    }

    @Override
    public void linearizeDiagonal(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff,
                                  float[] diag, int dOff) {
        evaluate(hPrev, hOff, u, uOff, f, fOff, diag, dOff, true);
    }

    private void evaluate(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff,
                          boolean diagonalOnly) {
        float[] acc = recurrent(hPrev, hOff);
        float[] w = weightHh.data();
        int dw = width;
        for (int i = 0; i < dw; i++) {
            float h = hPrev[hOff + i];
            float an = acc[2 * dw + i];
            float r = ParaCell.sigmoid(u[uOff + i] + acc[i]);
            float z = ParaCell.sigmoid(u[uOff + dw + i] + acc[dw + i]);
            float n = ParaCell.tanh(u[uOff + 2 * dw + i] + r * an);
            f[fOff + i] = (1f - z) * n + z * h;
            // J[i][j] = kr·W_hr[i][j] + kn·W_hn[i][j] + kz·W_hz[i][j] + z·δ_ij
            float common = (1f - z) * (1f - n * n);
            float kr = common * an * r * (1f - r);
            float kn = common * r;
            float kz = (h - n) * z * (1f - z);
            int wr = i * dw;
            int wz = (dw + i) * dw;
            int wn = (2 * dw + i) * dw;
            if (diagonalOnly) {
                jac[jOff + i] = kr * w[wr + i] + kn * w[wn + i] + kz * w[wz + i] + z;
            } else {
                int row = jOff + i * dw;
                for (int j = 0; j < dw; j++) {
                    jac[row + j] = kr * w[wr + j] + kn * w[wn + j] + kz * w[wz + j];
                }
                jac[row + i] += z;
            }
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] acc = recurrent(hPrev, hOff);
        float[] gw = grads.data("weight_hh");
        float[] gb = grads.data("bias_hh");
        int dw = width;
        for (int i = 0; i < dw; i++) {
            float h = hPrev[hOff + i];
            float an = acc[2 * dw + i];
            float r = ParaCell.sigmoid(u[uOff + i] + acc[i]);
            float z = ParaCell.sigmoid(u[uOff + dw + i] + acc[dw + i]);
            float n = ParaCell.tanh(u[uOff + 2 * dw + i] + r * an);
            float l = lambda[lOff + i];
            float gn = l * (1f - z) * (1f - n * n);
            float gz = l * (h - n) * z * (1f - z);
            float gr = gn * an * r * (1f - r);
            float gan = gn * r;
            gradU[guOff + i] = gr;
            gradU[guOff + dw + i] = gz;
            gradU[guOff + 2 * dw + i] = gn;
            gb[i] += gr;
            gb[dw + i] += gz;
            gb[2 * dw + i] += gan;
            int wr = i * dw;
            int wz = (dw + i) * dw;
            int wn = (2 * dw + i) * dw;
            for (int j = 0; j < dw; j++) {
                float hj = hPrev[hOff + j];
                gw[wr + j] += gr * hj;
                gw[wz + j] += gz * hj;
                gw[wn + j] += gan * hj;
            }
        }
    }
}
