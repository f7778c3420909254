package org.pararnn.cells;

import org.pararnn.api.Tensor;
import org.pararnn.cells.linalg.Gemm;

/**
 * The reference's multi-head input projection (DESIGN §2): per head a dense map from the head's
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
     * A per-thread staging buffer for one head's product (fully written before it is read): a training
     * step would otherwise allocate and zero a fresh {@code rows × G·D/H} array per call.
     */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] scratch(int n) {
        float[] b = SCRATCH.get();
        if (b.length < n) {
            b = new float[n];
            SCRATCH.set(b);
        }
        return b;
    }

    void project(float[] x, float[] u, int rows) {
        int nh = inputs / heads;
        int dh = width / heads;
        int cols = headCols();
        int uw = gates * width;
        float[] bv = bias.data();
        for (int r = 0; r < rows; r++) {
            System.arraycopy(bv, 0, u, r * uw, uw);
        }
        if (heads == 1) {
            // u's [G][D] row layout is exactly B[0]'s column order: one GEMM straight into u.
            Gemm.sgemm(false, false, rows, cols, nh, 1f, x, 0, inputs, weight.data(), 0, cols, 1f, u, 0, uw);
            return;
        }
        float[] tmp = scratch(rows * cols);
        for (int h = 0; h < heads; h++) {
            Gemm.sgemm(false, false, rows, cols, nh, 1f, x, h * nh, inputs, weight.data(), h * nh * cols, cols,
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
        float[] g = heads == 1 ? gradU : scratch(rows * cols);
        for (int h = 0; h < heads; h++) {
            if (heads > 1) {
                for (int r = 0; r < rows; r++) {
                    for (int v = 0; v < gates; v++) {
                        System.arraycopy(gradU, r * uw + v * width + h * dh, g, r * cols + v * dh, dh);
                    }
                }
            }
            int ldg = heads == 1 ? uw : cols;
            // dB_h [N/H × G·D/H] += X_hᵀ · G_h
            Gemm.sgemm(true, false, nh, cols, rows, 1f, x, h * nh, inputs, g, 0, ldg, 1f,
                    gradWeight, h * nh * cols, cols);
            if (gradX != null) {
                // dX_h [R × N/H] = G_h · B_hᵀ
                Gemm.sgemm(false, true, rows, nh, cols, 1f, g, 0, ldg, weight.data(), h * nh * cols, cols, 0f,
                        gradX, h * nh, inputs);
            }
        }
    }
}
