package org.pararnn.lm.nn;

import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;

/**
 * One linear map of a layer, {@code y = x · Wᵀ} with {@code W [out][in]} (PyTorch's {@code nn.Linear}
 * layout, so weights interoperate), over {@code rows} rows with leading dimensions, by the backend's
 * {@link Ops#matmul} (the {@code cpu} backend: OpenBLAS for large products).
 *
 * <p>As in any layer that keeps activations for its backward pass, the input and the weight given to
 * {@link #forward} are remembered, not copied: they must not change before {@link #backward}.
 */
public final class Linear {
    private final int in;
    private final int out;
    private Matrix input;
    private Matrix weight;

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

    public void forward(Ops ops, float[] x, int xOff, int ldx, float[] w, float[] y, int yOff, int ldy, int rows) {
        forward(ops, x, xOff, ldx, w, y, yOff, ldy, false, rows);
    }

    /** As {@link #forward}, adding into {@code y} when {@code accumulate} (e.g. straight into a residual stream). */
    public void forward(Ops ops, float[] x, int xOff, int ldx, float[] w, float[] y, int yOff, int ldy,
                        boolean accumulate, int rows) {
        if (w.length != in * out) {
            throw new IllegalArgumentException("weight has " + w.length + " values, expected " + out + "x" + in);
        }
        input = new Matrix(HostArray.of("input", x), xOff, rows, in, ldx);
        weight = Matrix.of(HostArray.of("weight", w), out, in);
        ops.matmul(input, false, weight, true, 1f, accumulate ? 1f : 0f,
                new Matrix(HostArray.of("output", y), yOff, rows, out, ldy));
    }

    /**
     * For the last forward's input and weight: adds {@code dyᵀ·x} into {@code gw}; writes (or adds into, when
     * {@code accumulate}) {@code dx = dy·W} unless {@code dx} is null.
     */
    public void backward(Ops ops, float[] dy, int dyOff, int ldy, float[] gw, float[] dx, int dxOff, int lddx,
                         boolean accumulate) {
        if (input == null) {
            throw new IllegalStateException("backward before forward");
        }
        int rows = input.rows();
        Matrix gradOut = new Matrix(HostArray.of("output gradient", dy), dyOff, rows, out, ldy);
        ops.matmul(gradOut, true, input, false, 1f, 1f, Matrix.of(HostArray.of("weight gradient", gw), out, in));
        if (dx != null) {
            ops.matmul(gradOut, false, weight, false, 1f, accumulate ? 1f : 0f,
                    new Matrix(HostArray.of("input gradient", dx), dxOff, rows, in, lddx));
        }
    }
}
