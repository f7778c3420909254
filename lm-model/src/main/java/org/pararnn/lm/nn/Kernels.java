package org.pararnn.lm.nn;

/**
 * The model's element-wise and row-wise layers as plain loops over row-major {@code [rows][width]}
 * arrays with offsets and strides (so a slice of a wider activation needs no copy). Forward and
 * backward of each layer sit side by side; backward methods <em>add</em> into parameter gradients and
 * <em>write</em> input gradients unless they say otherwise. Nothing here allocates.
 */
public final class Kernels {
    private Kernels() {
    }

    public static final float RMS_EPS = 1e-6f;

    /**
     * {@code Σ a[i]·b[i]} over {@code n} elements in four interleaved partial sums (fixed order, so
     * deterministic): a single running sum is a chain of dependent adds that the JIT cannot vectorise.
     */
    static float sumOfProducts(float[] a, int aOff, float[] b, int bOff, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            s0 += a[aOff + j] * b[bOff + j];
            s1 += a[aOff + j + 1] * b[bOff + j + 1];
            s2 += a[aOff + j + 2] * b[bOff + j + 2];
            s3 += a[aOff + j + 3] * b[bOff + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code Σ a[i]·b[i]·c[i]}, as {@link #sumOfProducts(float[], int, float[], int, int)}. */
    static float sumOfProducts(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
        float s0 = 0f;
        float s1 = 0f;
        float s2 = 0f;
        float s3 = 0f;
        int j = 0;
        for (; j + 4 <= n; j += 4) {
            s0 += a[aOff + j] * b[bOff + j] * c[cOff + j];
            s1 += a[aOff + j + 1] * b[bOff + j + 1] * c[cOff + j + 1];
            s2 += a[aOff + j + 2] * b[bOff + j + 2] * c[cOff + j + 2];
            s3 += a[aOff + j + 3] * b[bOff + j + 3] * c[cOff + j + 3];
        }
        for (; j < n; j++) {
            s0 += a[aOff + j] * b[bOff + j] * c[cOff + j];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** {@code y = x / rms(x) ⊙ g} per row; stores {@code 1/rms} per row in {@code inv}. */
    public static void rmsNorm(float[] x, int xOff, int xStride, float[] g, float[] y, int yOff, int yStride,
                               float[] inv, int from, int to, int width) {
        for (int r = from; r < to; r++) {
            int xi = xOff + r * xStride;
            int yi = yOff + r * yStride;
            float ss = sumOfProducts(x, xi, x, xi, width);
            float s = (float) (1.0 / Math.sqrt(ss / width + RMS_EPS));
            inv[r] = s;
            for (int j = 0; j < width; j++) {
                y[yi + j] = x[xi + j] * s * g[j];
            }
        }
    }

    /** Row blocks of {@link #rmsNormGainGrad}: a constant, so the sums never depend on the thread count. */
    public static final int GAIN_BLOCKS = 8;

    /**
     * {@code ∂L/∂g} of {@link #rmsNorm} added into {@code gg}: a sum over rows. The rows are cut into
     * {@link #GAIN_BLOCKS} fixed blocks summed in parallel into {@code parts [GAIN_BLOCKS][width]}, then
     * added in block order: deterministic whatever the pool, and each task streams its rows once.
     */
    public static void rmsNormGainGrad(org.pararnn.api.spi.ParallelLoop loop, float[] x, int xOff, int xStride,
                                       float[] inv, float[] dy, int dyOff, int dyStride, float[] gg, float[] parts,
                                       int rows, int width) {
        org.pararnn.api.spi.ParallelLoop l = loop == null || (long) rows * width < (1 << 14)
                ? org.pararnn.api.spi.ParallelLoop.SEQUENTIAL : loop;
        l.forEach(GAIN_BLOCKS, k -> {
            int p = k * width;
            java.util.Arrays.fill(parts, p, p + width, 0f);
            for (int r = (int) ((long) rows * k / GAIN_BLOCKS); r < (int) ((long) rows * (k + 1) / GAIN_BLOCKS); r++) {
                int xi = xOff + r * xStride;
                int di = dyOff + r * dyStride;
                float s = inv[r];
                for (int j = 0; j < width; j++) {
                    parts[p + j] += dy[di + j] * x[xi + j] * s;
                }
            }
        });
        for (int k = 0; k < GAIN_BLOCKS; k++) {
            for (int j = 0; j < width; j++) {
                gg[j] += parts[k * width + j];
            }
        }
    }

    /**
     * {@code ∂L/∂x} of {@link #rmsNorm} for rows {@code [from, to)}: written, or added when
     * {@code accumulate} (the residual stream already holds a gradient there).
     */
    public static void rmsNormBackward(float[] x, int xOff, int xStride, float[] g, float[] inv, float[] dy, int dyOff,
                                       int dyStride, float[] dx, int dxOff, int dxStride, boolean accumulate,
                                       int from, int to, int width) {
        for (int r = from; r < to; r++) {
            int xi = xOff + r * xStride;
            int di = dyOff + r * dyStride;
            int oi = dxOff + r * dxStride;
            float s = inv[r];
            float mean = s * sumOfProducts(dy, di, g, 0, x, xi, width) / width;
            if (accumulate) {
                for (int j = 0; j < width; j++) {
                    dx[oi + j] += s * (dy[di + j] * g[j] - x[xi + j] * s * mean);
                }
            } else {
                for (int j = 0; j < width; j++) {
                    dx[oi + j] = s * (dy[di + j] * g[j] - x[xi + j] * s * mean);
                }
            }
        }
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
