package org.pararnn.api.ops;

/**
 * RMSNorm over row-major {@code [rows][width]} arrays with offsets and strides (a slice of a wider
 * activation needs no copy), forward and backward side by side, in plain loops: the host ops' RMSNorm and
 * the language model's. Backward methods <em>add</em> into the gain's gradient and <em>write</em> the input's
 * gradient unless they say otherwise. Nothing here allocates; every sum runs in a fixed order.
 */
public final class RmsNormKernels {
    private RmsNormKernels() {
    }

    public static final float RMS_EPS = 1e-6f;

    /**
     * {@code Σ a[i]·b[i]} over {@code n} elements in four interleaved partial sums (fixed order, so
     * deterministic): a single running sum is a chain of dependent adds that the JIT cannot vectorise.
     */
    public static float sumOfProducts(float[] a, int aOff, float[] b, int bOff, int n) {
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
    public static float sumOfProducts(float[] a, int aOff, float[] b, int bOff, float[] c, int cOff, int n) {
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
}
