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

    /** {@code y = x / rms(x) ⊙ g} per row; stores {@code 1/rms} per row in {@code inv}. */
    public static void rmsNorm(float[] x, int xOff, int xStride, float[] g, float[] y, int yOff, int yStride,
                               float[] inv, int from, int to, int width) {
        for (int r = from; r < to; r++) {
            int xi = xOff + r * xStride;
            int yi = yOff + r * yStride;
            float ss = 0f;
            for (int j = 0; j < width; j++) {
                float v = x[xi + j];
                ss += v * v;
            }
            float s = (float) (1.0 / Math.sqrt(ss / width + RMS_EPS));
            inv[r] = s;
            for (int j = 0; j < width; j++) {
                y[yi + j] = x[xi + j] * s * g[j];
            }
        }
    }

    /** {@code ∂L/∂g} of {@link #rmsNorm} added into {@code gg}: a sum over rows, done in row order. */
    public static void rmsNormGainGrad(float[] x, int xOff, int xStride, float[] inv, float[] dy, int dyOff, int dyStride,
                                       float[] gg, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * xStride;
            int di = dyOff + r * dyStride;
            float s = inv[r];
            for (int j = 0; j < width; j++) {
                gg[j] += dy[di + j] * x[xi + j] * s;
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
            float dot = 0f;
            for (int j = 0; j < width; j++) {
                dot += dy[di + j] * g[j] * x[xi + j] * s;
            }
            float mean = dot / width;
            for (int j = 0; j < width; j++) {
                float xhat = x[xi + j] * s;
                float v = s * (dy[di + j] * g[j] - xhat * mean);
                dx[oi + j] = accumulate ? dx[oi + j] + v : v;
            }
        }
    }

    /**
     * Causal depthwise convolution along time: {@code y[b,t,d] = bias[d] + Σ_j w[d,j]·x[b, t−(k−1)+j, d]},
     * inputs before the window's first step taken from {@code history [B][k−1][D]} (zeros when null), as
     * PyTorch's {@code Conv1d(D, D, k, groups=D, padding=k−1)} truncated to the first {@code T} outputs.
     */
    public static void causalConv(float[] x, int xOff, int xStride, float[] w, float[] bias, float[] history,
                                  float[] y, int bFrom, int bTo, int steps, int width, int kernel) {
        for (int b = bFrom; b < bTo; b++) {
            for (int t = 0; t < steps; t++) {
                int yi = (b * steps + t) * width;
                System.arraycopy(bias, 0, y, yi, width);
                for (int j = 0; j < kernel; j++) {
                    int src = t - (kernel - 1) + j;
                    if (src >= 0) {
                        int xi = xOff + (b * steps + src) * xStride;
                        for (int d = 0; d < width; d++) {
                            y[yi + d] += w[d * kernel + j] * x[xi + d];
                        }
                    } else if (history != null) {
                        int hi = (b * (kernel - 1) + (kernel - 1) + src) * width;
                        for (int d = 0; d < width; d++) {
                            y[yi + d] += w[d * kernel + j] * history[hi + d];
                        }
                    }
                }
            }
        }
    }

    /** {@code ∂L/∂x} of {@link #causalConv} from the zero history, written for batch elements {@code [bFrom, bTo)}. */
    public static void causalConvBackward(float[] w, float[] dy, float[] dx, int dxOff, int dxStride,
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
                    for (int d = 0; d < width; d++) {
                        dx[di + d] += dy[yi + d] * w[d * kernel + j];
                    }
                }
            }
        }
    }

    /** Parameter gradients of {@link #causalConv} (zero history), added into {@code gw} and {@code gb} in row order. */
    public static void causalConvParamGrad(float[] x, int xOff, int xStride, float[] dy, float[] gw, float[] gb,
                                           int batch, int steps, int width, int kernel) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int yi = (b * steps + t) * width;
                for (int d = 0; d < width; d++) {
                    gb[d] += dy[yi + d];
                }
                for (int j = 0; j < kernel; j++) {
                    int src = t - (kernel - 1) + j;
                    if (src < 0) {
                        continue;
                    }
                    int xi = xOff + (b * steps + src) * xStride;
                    for (int d = 0; d < width; d++) {
                        gw[d * kernel + j] += dy[yi + d] * x[xi + d];
                    }
                }
            }
        }
    }
}
