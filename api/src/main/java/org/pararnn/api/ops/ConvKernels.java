package org.pararnn.api.ops;

/**
 * The causal depthwise convolution along time on heap arrays, forward and backward: the host ops' and,
 * through them, the language model's (PyTorch's {@code Conv1d(D, D, k, groups=D, padding=k−1)} truncated
 * to the first {@code T} outputs). Rows are {@code (b, t)} pairs, batch-major, with a stride so a slice of a
 * wider activation needs no copy. Parameter gradients are summed per batch element and the parts added in
 * batch order, so the thread count never changes a bit.
 */
public final class ConvKernels {
    private ConvKernels() {
    }

    /**
     * The depthwise kernel {@code w [D][k]} as {@code wt [k][D]}: the convolution loops then run over
     * contiguous features and vectorise.
     */
    public static void transposeKernel(float[] w, float[] wt, int width, int kernel) {
        for (int d = 0; d < width; d++) {
            for (int j = 0; j < kernel; j++) {
                wt[j * width + d] = w[d * kernel + j];
            }
        }
    }

    /**
     * Causal depthwise convolution along time: {@code y[b,t,d] = bias[d] + Σ_j w[d,j]·x[b, t−(k−1)+j, d]},
     * inputs before the window's first step taken from {@code history [B][k−1][D]} (zeros when null), as
     * PyTorch's {@code Conv1d(D, D, k, groups=D, padding=k−1)} truncated to the first {@code T} outputs.
     * The kernel comes transposed, {@code wt [k][D]} ({@link #transposeKernel}).
     */
    public static void causalConv(float[] x, int xOff, int xStride, float[] wt, float[] bias, float[] history,
                                  float[] y, int bFrom, int bTo, int steps, int width, int kernel) {
        for (int b = bFrom; b < bTo; b++) {
            for (int t = 0; t < steps; t++) {
                int yi = (b * steps + t) * width;
                System.arraycopy(bias, 0, y, yi, width);
                for (int j = 0; j < kernel; j++) {
                    int src = t - (kernel - 1) + j;
                    int wi = j * width;
                    if (src >= 0) {
                        int xi = xOff + (b * steps + src) * xStride;
                        for (int d = 0; d < width; d++) {
                            y[yi + d] += wt[wi + d] * x[xi + d];
                        }
                    } else if (history != null) {
                        int hi = (b * (kernel - 1) + (kernel - 1) + src) * width;
                        for (int d = 0; d < width; d++) {
                            y[yi + d] += wt[wi + d] * history[hi + d];
                        }
                    }
                }
            }
        }
    }

    /**
     * {@code ∂L/∂x} of {@link #causalConv} from the zero history, written for batch elements
     * {@code [bFrom, bTo)}; {@code wt} transposed as there.
     */
    public static void causalConvBackward(float[] wt, float[] dy, float[] dx, int dxOff, int dxStride,
                                          int bFrom, int bTo, int steps, int width, int kernel) {
        for (int b = bFrom; b < bTo; b++) {
            for (int src = 0; src < steps; src++) {
                int di = dxOff + (b * steps + src) * dxStride;
                java.util.Arrays.fill(dx, di, di + width, 0f);
                for (int j = 0; j < kernel; j++) {
                    int t = src + (kernel - 1) - j;
                    if (t >= steps) {
                        continue;
                    }
                    int yi = (b * steps + t) * width;
                    int wi = j * width;
                    for (int d = 0; d < width; d++) {
                        dx[di + d] += dy[yi + d] * wt[wi + d];
                    }
                }
            }
        }
    }

    /**
     * Parameter gradients of {@link #causalConv} (zero history) of one batch element {@code b}, written
     * (not added) into {@code part}: {@code [k][D]} kernel gradient, then {@code [D]} bias gradient. Callers
     * compute one part per batch element in parallel and add the parts in batch order
     * ({@link #addConvParts}), so the sums do not depend on the thread count.
     */
    public static void causalConvParamPart(float[] x, int xOff, int xStride, float[] dy, float[] part, int b,
                                           int steps, int width, int kernel) {
        java.util.Arrays.fill(part, 0, (kernel + 1) * width, 0f);
        int gbOff = kernel * width;
        for (int t = 0; t < steps; t++) {
            int yi = (b * steps + t) * width;
            for (int d = 0; d < width; d++) {
                part[gbOff + d] += dy[yi + d];
            }
            for (int j = 0; j < kernel; j++) {
                int src = t - (kernel - 1) + j;
                if (src < 0) {
                    continue;
                }
                int xi = xOff + (b * steps + src) * xStride;
                int gi = j * width;
                for (int d = 0; d < width; d++) {
                    part[gi + d] += dy[yi + d] * x[xi + d];
                }
            }
        }
    }

    /** Adds the per-batch parts of {@link #causalConvParamPart} into {@code gw [D][k]} and {@code gb}, in order. */
    public static void addConvParts(float[][] parts, int batch, float[] gw, float[] gb, int width, int kernel) {
        for (int b = 0; b < batch; b++) {
            float[] part = parts[b];
            for (int d = 0; d < width; d++) {
                for (int j = 0; j < kernel; j++) {
                    gw[d * kernel + j] += part[j * width + d];
                }
                gb[d] += part[kernel * width + d];
            }
        }
    }
}
