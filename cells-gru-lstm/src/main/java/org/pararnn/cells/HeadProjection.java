package org.pararnn.cells;

import org.pararnn.api.Tensor;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;

/**
 * The reference's multi-head input projection (docs/design.md §2): per head a dense map from the head's
 * {@code N/H} input features to its {@code D/H} features of each of {@code G} gates,
 * {@code u[r, v, h·D/H + j] = Σ_i x[r, h·N/H + i] · B[h, i, v, j] + b[v, h·D/H + j]}.
 * For each head that is one GEMM over all rows {@code (b, t)} at once, run by the backend's {@link Ops}.
 */
final class HeadProjection {
    final int heads;
    final int inputs;
    final int width;
    final int gates;
    final Tensor weight;
    final Tensor bias;

    HeadProjection(int heads, int inputs, int width, int gates) {
        this.heads = heads;
        this.inputs = inputs;
        this.width = width;
        this.gates = gates;
        this.weight = Tensor.zeros("B", heads, inputs / heads, gates, width / heads);
        this.bias = Tensor.zeros("b", gates, width);
    }

    /** Columns of one head's block of {@code B}: {@code G · D/H}. */
    private int headCols() {
        return gates * (width / heads);
    }

    /**
     * Per-thread staging (fully written before it is read): a training step would otherwise allocate a
     * fresh {@code rows × G·D/H} array per call.
     */
    private static final class Staging {
        float[] heads = new float[0];
        float[] gradX = new float[0];
    }

    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    void project(Ops ops, float[] x, float[] u, int rows) {
        int nh = inputs / heads;
        int dh = width / heads;
        int cols = headCols();
        int uw = gates * width;
        float[] bv = bias.data();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bv, 0, u, r * uw, uw);
        }
        DeviceArray xs = HostArray.of("x", x);
        DeviceArray ws = HostArray.of(weight.name(), weight.data());
        if (heads == 1) {
            // u's [G][D] row layout is exactly B[0]'s column order: one GEMM straight into u.
            ops.matmul(new Matrix(xs, 0, rows, nh, inputs), false, new Matrix(ws, 0, nh, cols, cols), false, 1f, 1f,
                    Matrix.of(HostArray.of("u", u), rows, uw));
            return;
        }
        Staging st = STAGING.get();
        if (st.heads.length < rows * cols) {
            st.heads = new float[rows * cols];
        }
        float[] tmp = st.heads;
        Matrix head = new Matrix(HostArray.of("head", tmp), 0, rows, cols, cols);
        for (int h = 0; h < heads; h++) {
            ops.matmul(new Matrix(xs, h * nh, rows, nh, inputs), false, new Matrix(ws, (long) h * nh * cols, nh, cols, cols),
                    false, 1f, 0f, head);
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < gates; v++) {
                    int dst = r * uw + v * width + h * dh;
                    int src = r * cols + v * dh;
                    for (int j = 0; j < dh; j++) {
                        u[dst + j] += tmp[src + j];
                    }
                }
            }
        }
    }

    /** Adds {@code ∂L/∂B} and {@code ∂L/∂b} into the given arrays; writes {@code gradX} when non-null. */
    void backward(Ops ops, float[] x, float[] gradU, float[] gradX, float[] gradWeight, float[] gradBias, int rows) {
        int nh = inputs / heads;
        int dh = width / heads;
        int cols = headCols();
        int uw = gates * width;
        for (int r = 0; r < rows; r++) {
            int base = r * uw;
            for (int c = 0; c < uw; c++) {
                gradBias[c] += gradU[base + c];
            }
        }
        Staging st = STAGING.get();
        if (heads > 1 && st.heads.length < rows * cols) {
            st.heads = new float[rows * cols];
        }
        if (heads > 1 && gradX != null && st.gradX.length < rows * nh) {
            st.gradX = new float[rows * nh];
        }
        float[] g = heads == 1 ? gradU : st.heads;
        int ldg = heads == 1 ? uw : cols;
        DeviceArray xs = HostArray.of("x", x);
        DeviceArray ws = HostArray.of(weight.name(), weight.data());
        DeviceArray gw = HostArray.of("grad " + weight.name(), gradWeight);
        Matrix gs = new Matrix(HostArray.of(heads == 1 ? "gradU" : "head gradient", g), 0, rows, cols, ldg);
        for (int h = 0; h < heads; h++) {
            if (heads > 1) {
                for (int r = 0; r < rows; r++) {
                    for (int v = 0; v < gates; v++) {
                        System.arraycopy(gradU, r * uw + v * width + h * dh, g, r * cols + v * dh, dh);
                    }
                }
            }
            // dB_h [N/H × G·D/H] += X_hᵀ · G_h
            ops.matmul(new Matrix(xs, h * nh, rows, nh, inputs), true, gs, false, 1f, 1f,
                    new Matrix(gw, (long) h * nh * cols, nh, cols, cols));
            if (gradX == null) {
                continue;
            }
            // dX_h [R × N/H] = G_h · B_hᵀ; with several heads into a dense block first (a strided
            // product into gradX would copy gradX's other columns to native memory and back).
            Matrix bh = new Matrix(ws, (long) h * nh * cols, nh, cols, cols);
            if (heads == 1) {
                ops.matmul(gs, false, bh, true, 1f, 0f, Matrix.of(HostArray.of("gradX", gradX), rows, inputs));
            } else {
                float[] dxh = st.gradX;
                ops.matmul(gs, false, bh, true, 1f, 0f, new Matrix(HostArray.of("head gradX", dxh), 0, rows, nh, nh));
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(dxh, r * nh, gradX, r * inputs + h * nh, nh);
                }
            }
        }
    }
}
