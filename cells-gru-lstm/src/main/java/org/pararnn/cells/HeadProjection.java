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
public final class HeadProjection {
    final int heads;
    final int inputs;
    final int width;
    final int gates;
    final Tensor weight;
    final Tensor bias;

    public HeadProjection(int heads, int inputs, int width, int gates) {
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

    /** {@code B [H][N/H][G][D/H]}. */
    public Tensor weight() {
        return weight;
    }

    /** {@code b [G][D]}. */
    public Tensor bias() {
        return bias;
    }

    public void project(Ops ops, float[] x, float[] u, int rows) {
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
    public void backward(Ops ops, float[] x, float[] gradU, float[] gradX, float[] gradWeight, float[] gradBias, int rows) {
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
    /**
     * {@link #project} on an ops' own arrays: {@code u} gets the bias, then one product per head and gate adds
     * into its columns (strided views; no staging, so nothing leaves the ops' device).
     */
    public void project(Ops ops, DeviceArray weightValues, DeviceArray biasValues, Matrix x, Matrix u) {
        requireRows(x, u);
        int nh = inputs / heads;
        int dh = width / heads;
        int cols = headCols();
        ops.broadcastRows(biasValues, u);
        if (heads == 1) {
            ops.matmul(x, false, new Matrix(weightValues, 0, nh, cols, cols), false, 1f, 1f, u);
            return;
        }
        for (int h = 0; h < heads; h++) {
            for (int v = 0; v < gates; v++) {
                ops.matmul(headInput(x, h), false, headGate(weightValues, h, v), false, 1f, 1f, headGate(u, h, v));
            }
        }
    }

    /** The backward of {@link #project(Ops, DeviceArray, DeviceArray, Matrix, Matrix)}: gradients added, {@code gradX} written. */
    public void backward(Ops ops, DeviceArray weightValues, DeviceArray gradWeight, DeviceArray gradBias, Matrix x, Matrix gradU,
                  Matrix gradX) {
        requireRows(x, gradU);
        if (gradX != null && (gradX.rows() != x.rows() || gradX.cols() != inputs)) {
            throw new IllegalArgumentException("projection backward: gradX is " + gradX.describe() + ", the input " + x.describe());
        }
        int nh = inputs / heads;
        int cols = headCols();
        ops.addColumnSums(gradU, gradBias);
        if (heads == 1) {
            Matrix b0 = new Matrix(weightValues, 0, nh, cols, cols);
            ops.matmul(x, true, gradU, false, 1f, 1f, new Matrix(gradWeight, 0, nh, cols, cols));
            if (gradX != null) {
                ops.matmul(gradU, false, b0, true, 1f, 0f, gradX);
            }
            return;
        }
        for (int h = 0; h < heads; h++) {
            Matrix xh = headInput(x, h);
            for (int v = 0; v < gates; v++) {
                Matrix g = headGate(gradU, h, v);
                ops.matmul(xh, true, g, false, 1f, 1f, headGate(gradWeight, h, v));
                if (gradX != null) {
                    ops.matmul(g, false, headGate(weightValues, h, v), true, 1f, v == 0 ? 0f : 1f, headInput(gradX, h));
                }
            }
        }
    }

    private void requireRows(Matrix x, Matrix u) {
        if (x.cols() != inputs || u.cols() != gates * width || x.rows() != u.rows()) {
            throw new IllegalArgumentException("projection: input " + x.describe() + " and output " + u.describe() + " should be R x "
                    + inputs + " and R x " + gates * width);
        }
    }

    /** Head {@code h}'s input columns of {@code x [R][N]}. */
    private Matrix headInput(Matrix x, int h) {
        int nh = inputs / heads;
        return new Matrix(x.array(), x.offset() + (long) h * nh, x.rows(), nh, x.ld());
    }

    /** Head {@code h}'s columns of gate {@code v} in {@code u [R][G·D]}. */
    private Matrix headGate(Matrix u, int h, int v) {
        int dh = width / heads;
        return new Matrix(u.array(), u.offset() + (long) v * width + (long) h * dh, u.rows(), dh, u.ld());
    }

    /** Gate {@code v}'s block of head {@code h} of {@code B [H][N/H][G][D/H]}: {@code N/H × D/H}, rows {@code G·D/H} apart. */
    private Matrix headGate(DeviceArray weight, int h, int v) {
        int nh = inputs / heads;
        int dh = width / heads;
        int cols = headCols();
        return new Matrix(weight, (long) h * nh * cols + (long) v * dh, nh, dh, cols);
    }
}
