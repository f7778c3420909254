package org.pararnn.lm.nn;

import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;

/**
 * One linear map of a layer, {@code y = x · Wᵀ} with {@code W [out][in]} (PyTorch's {@code nn.Linear}
 * layout, so weights interoperate), over the rows of {@code x}, by the backend's {@link Ops#matmul} (the
 * {@code cpu} backend: OpenBLAS for large products).
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

    /** {@code y = x·Wᵀ}, or {@code y += x·Wᵀ} when {@code accumulate} (e.g. straight into a residual stream). */
    public void forward(Ops ops, Matrix x, DeviceArray w, Matrix y, boolean accumulate) {
        if (w.length() != (long) in * out) {
            throw new IllegalArgumentException(w.name() + " has " + w.length() + " values, expected " + out + "x" + in);
        }
        input = x;
        weight = Matrix.of(w, out, in);
        ops.matmul(input, false, weight, true, 1f, accumulate ? 1f : 0f, y);
    }

    /**
     * For the last forward's input and weight: adds {@code dyᵀ·x} into {@code gw}; writes (or adds into, when
     * {@code accumulate}) {@code dx = dy·W} unless {@code dx} is null.
     */
    public void backward(Ops ops, Matrix dy, DeviceArray gw, Matrix dx, boolean accumulate) {
        if (input == null) {
            throw new IllegalStateException("backward before forward");
        }
        ops.matmul(dy, true, input, false, 1f, 1f, Matrix.of(gw, out, in));
        if (dx != null) {
            ops.matmul(dy, false, weight, false, 1f, accumulate ? 1f : 0f, dx);
        }
    }
}
