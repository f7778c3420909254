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
                               float[] inv, int rows, int width) {
        for (int r = 0; r < rows; r++) {
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

    /**
     * Backward of {@link #rmsNorm}: adds {@code ∂L/∂g} into {@code gg}; {@code dx} is written, or added to
     * when {@code accumulate} (the residual stream already holds a gradient there).
     */
    public static void rmsNormBackward(float[] x, int xOff, int xStride, float[] g, float[] inv, float[] dy, int dyOff,
                                       int dyStride, float[] gg, float[] dx, int dxOff, int dxStride, boolean accumulate,
                                       int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int xi = xOff + r * xStride;
            int di = dyOff + r * dyStride;
            int oi = dxOff + r * dxStride;
            float s = inv[r];
            float dot = 0f;
            for (int j = 0; j < width; j++) {
                float xhat = x[xi + j] * s;
                float d = dy[di + j];
                gg[j] += d * xhat;
                dot += d * g[j] * xhat;
            }
            float mean = dot / width;
            for (int j = 0; j < width; j++) {
                float xhat = x[xi + j] * s;
                float v = s * (dy[di + j] * g[j] - xhat * mean);
                dx[oi + j] = accumulate ? dx[oi + j] + v : v;
            }
        }
    }

    public static float sigmoid(float v) {
        return 1f / (1f + (float) Math.exp(-v));
    }

    public static float silu(float v) {
        return v * sigmoid(v);
    }

    /** {@code d silu(v) / dv}. */
    public static float siluGrad(float v) {
        float s = sigmoid(v);
        return s * (1f + v * (1f - s));
    }

    /**
     * Causal depthwise convolution along time: {@code y[b,t,d] = bias[d] + Σ_j w[d,j]·x[b, t−(k−1)+j, d]},
     * inputs before the window's first step taken from {@code history [B][k−1][D]} (zeros when null), as
     * PyTorch's {@code Conv1d(D, D, k, groups=D, padding=k−1)} truncated to the first {@code T} outputs.
     */
    public static void causalConv(float[] x, int xOff, int xStride, float[] w, float[] bias, float[] history,
                                  float[] y, int batch, int steps, int width, int kernel) {
        for (int b = 0; b < batch; b++) {
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

    /** Backward of {@link #causalConv} from the zero history: adds into {@code gw}, {@code gb}; writes {@code dx}. */
    public static void causalConvBackward(float[] x, int xOff, int xStride, float[] w, float[] dy, float[] gw, float[] gb,
                                          float[] dx, int dxOff, int dxStride, int batch, int steps, int width, int kernel) {
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                java.util.Arrays.fill(dx, dxOff + (b * steps + t) * dxStride, dxOff + (b * steps + t) * dxStride + width, 0f);
            }
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
                    int di = dxOff + (b * steps + src) * dxStride;
                    for (int d = 0; d < width; d++) {
                        float g = dy[yi + d];
                        gw[d * kernel + j] += g * x[xi + d];
                        dx[di + d] += g * w[d * kernel + j];
                    }
                }
            }
        }
    }
}
