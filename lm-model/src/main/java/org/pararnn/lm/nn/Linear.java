package org.pararnn.lm.nn;

import org.pararnn.cells.linalg.Gemm;
import org.pararnn.cells.linalg.GemmOperand;

/**
 * One linear map of a layer, {@code y = x · Wᵀ} with {@code W [out][in]} (PyTorch's {@code nn.Linear}
 * layout, so weights interoperate), over {@code rows} rows with leading dimensions, through {@link Gemm}
 * (OpenBLAS for large products).
 *
 * <p>The forward pass binds its input and weight as {@link GemmOperand}s and the backward pass reuses
 * them, and the output gradient is bound once for both backward products: each operand crosses to
 * OpenBLAS's native memory once per step instead of once per product (a training step of the default
 * language model moved about a third fewer bytes that way). So, as in any layer that keeps activations
 * for its backward pass, the input and the weight given to {@link #forward} must not change before
 * {@link #backward}.
 */
public final class Linear {
    private final int in;
    private final int out;
    private final GemmOperand input = new GemmOperand();
    private final GemmOperand weight = new GemmOperand();
    private final GemmOperand gradOutput = new GemmOperand();
    private int ldx;
    private int rows = -1;

    public Linear(int in, int out) {
        this.in = in;
        this.out = out;
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public void forward(float[] x, int xOff, int ldx, float[] w, float[] y, int yOff, int ldy, int rows) {
        forward(x, xOff, ldx, w, y, yOff, ldy, false, rows);
    }

    /** As {@link #forward}, adding into {@code y} when {@code accumulate} (e.g. straight into a residual stream). */
    public void forward(float[] x, int xOff, int ldx, float[] w, float[] y, int yOff, int ldy,
                        boolean accumulate, int rows) {
        if (w.length != in * out) {
            throw new IllegalArgumentException("weight has " + w.length + " values, expected " + out + "x" + in);
        }
        this.rows = rows;
        this.ldx = ldx;
        input.bind(x, xOff, span(rows, in, ldx));
        weight.bind(w);
        Gemm.sgemm(false, true, rows, out, in, 1f, input, 0, ldx, weight, 0, in, accumulate ? 1f : 0f, y, yOff, ldy);
    }

    /**
     * For the last forward's input and weight: adds {@code dyᵀ·x} into {@code gw}; writes (or adds into, when
     * {@code accumulate}) {@code dx = dy·W} unless {@code dx} is null.
     */
    public void backward(float[] dy, int dyOff, int ldy, float[] gw, float[] dx, int dxOff, int lddx,
                         boolean accumulate) {
        if (rows < 0) {
            throw new IllegalStateException("backward before forward");
        }
        gradOutput.bind(dy, dyOff, span(rows, out, ldy));
        try {
            Gemm.sgemm(true, false, out, in, rows, 1f, gradOutput, 0, ldy, input, 0, ldx, 1f, gw, 0, in);
            if (dx != null) {
                Gemm.sgemm(false, false, rows, in, out, 1f, gradOutput, 0, ldy, weight, 0, in,
                        accumulate ? 1f : 0f, dx, dxOff, lddx);
            }
        } finally {
            gradOutput.unbind();
        }
    }

    private static int span(int rows, int cols, int ld) {
        return rows == 0 ? 0 : (rows - 1) * ld + cols;
    }
}
