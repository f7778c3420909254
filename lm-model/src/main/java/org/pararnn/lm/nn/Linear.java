package org.pararnn.lm.nn;

import org.pararnn.cells.linalg.Gemm;

/**
 * {@code y = x · Wᵀ} with {@code W [out][in]} (PyTorch's {@code nn.Linear} layout, so weights
 * interoperate), over {@code rows} rows with leading dimensions, through {@link Gemm} (OpenBLAS for
 * large products).
 */
public final class Linear {
    private Linear() {
    }

    public static void forward(float[] x, int xOff, int ldx, float[] w, int in, int out,
                               float[] y, int yOff, int ldy, int rows) {
        forward(x, xOff, ldx, w, in, out, y, yOff, ldy, false, rows);
    }

    /** As {@link #forward}, adding into {@code y} when {@code accumulate} (e.g. straight into a residual stream). */
    public static void forward(float[] x, int xOff, int ldx, float[] w, int in, int out,
                               float[] y, int yOff, int ldy, boolean accumulate, int rows) {
        Gemm.sgemm(false, true, rows, out, in, 1f, x, xOff, ldx, w, 0, in, accumulate ? 1f : 0f, y, yOff, ldy);
    }

    /** Adds {@code dyᵀ·x} into {@code gw}; writes (or adds into, when {@code accumulate}) {@code dx = dy·W}. */
    public static void backward(float[] x, int xOff, int ldx, float[] w, int in, int out, float[] dy, int dyOff, int ldy,
                                float[] gw, float[] dx, int dxOff, int lddx, boolean accumulate, int rows) {
        Gemm.sgemm(true, false, out, in, rows, 1f, dy, dyOff, ldy, x, xOff, ldx, 1f, gw, 0, in);
        if (dx != null) {
            Gemm.sgemm(false, false, rows, in, out, 1f, dy, dyOff, ldy, w, 0, in, accumulate ? 1f : 0f, dx, dxOff, lddx);
        }
    }
}
