package org.pararnn.cells;

import org.pararnn.api.Tensor;
import org.pararnn.cells.linalg.Gemm;
import org.pararnn.cells.linalg.GemmOperand;

/**
 * The reference's multi-head input projection (docs/design.md §2): per head a dense map from the head's
 * {@code N/H} input features to its {@code D/H} features of each of {@code G} gates,
 * {@code u[r, v, h·D/H + j] = Σ_i x[r, h·N/H + i] · B[h, i, v, j] + b[v, h·D/H + j]}.
 * For each head that is one GEMM over all rows {@code (b, t)} at once.
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
     * Per-thread staging (fully written before it is read) and GEMM operands: a training step would
     * otherwise allocate a fresh {@code rows × G·D/H} array per call, and copy {@code x}, the weight and
     * each head's gradient to OpenBLAS once per product instead of once per call.
     */
    private static final class Staging {
        float[] heads = new float[0];
        float[] gradX = new float[0];
        final GemmOperand x = new GemmOperand();
        final GemmOperand w = new GemmOperand();
        final GemmOperand g = new GemmOperand();

        void unbind() {
            x.unbind();
            w.unbind();
            g.unbind();
        }
    }

    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    void project(float[] x, float[] u, int rows) {
        int nh = inputs / heads;
        int dh = width / heads;
        int cols = headCols();
        int uw = gates * width;
        float[] bv = bias.data();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bv, 0, u, r * uw, uw);
        }
        Staging st = STAGING.get();
        GemmOperand xs = st.x.bind(x, 0, rows * inputs);
        GemmOperand ws = st.w.bind(weight.data());
        try {
            if (heads == 1) {
                // u's [G][D] row layout is exactly B[0]'s column order: one GEMM straight into u.
                Gemm.sgemm(false, false, rows, cols, nh, 1f, xs, 0, inputs, ws, 0, cols, 1f, u, 0, uw);
                return;
            }
            if (st.heads.length < rows * cols) {
                st.heads = new float[rows * cols];
            }
            float[] tmp = st.heads;
            for (int h = 0; h < heads; h++) {
                Gemm.sgemm(false, false, rows, cols, nh, 1f, xs, h * nh, inputs, ws, h * nh * cols, cols,
                        0f, tmp, 0, cols);
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
        } finally {
            st.unbind();
        }
    }

    /** Adds {@code ∂L/∂B} and {@code ∂L/∂b} into the given arrays; writes {@code gradX} when non-null. */
    void backward(float[] x, float[] gradU, float[] gradX, float[] gradWeight, float[] gradBias, int rows) {
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
        GemmOperand xs = st.x.bind(x, 0, rows * inputs);
        GemmOperand ws = st.w.bind(weight.data());
        try {
            for (int h = 0; h < heads; h++) {
                if (heads > 1) {
                    for (int r = 0; r < rows; r++) {
                        for (int v = 0; v < gates; v++) {
                            System.arraycopy(gradU, r * uw + v * width + h * dh, g, r * cols + v * dh, dh);
                        }
                    }
                }
                GemmOperand gs = st.g.bind(g, 0, rows * ldg);
                // dB_h [N/H × G·D/H] += X_hᵀ · G_h
                Gemm.sgemm(true, false, nh, cols, rows, 1f, xs, h * nh, inputs, gs, 0, ldg, 1f,
                        gradWeight, h * nh * cols, cols);
                if (gradX == null) {
                    continue;
                }
                // dX_h [R × N/H] = G_h · B_hᵀ; with several heads into a dense block first (a strided
                // product into gradX would copy gradX's other columns to native memory and back).
                if (heads == 1) {
                    Gemm.sgemm(false, true, rows, nh, cols, 1f, gs, 0, ldg, ws, 0, cols, 0f, gradX, 0, inputs);
                } else {
                    float[] dxh = st.gradX;
                    Gemm.sgemm(false, true, rows, nh, cols, 1f, gs, 0, ldg, ws, h * nh * cols, cols, 0f, dxh, 0, nh);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(dxh, r * nh, gradX, r * inputs + h * nh, nh);
                    }
                }
            }
        } finally {
            st.unbind();
        }
    }
}
