package org.pararnn.api.ops;

/**
 * The optimiser's element-wise loops on heap arrays: the host ops' AdamW and sum of squares, and the
 * language model's. Element-wise, so any split over threads gives the same bits; the sum of squares runs
 * in four interleaved double partial sums in a fixed order (one running sum is a chain of dependent adds).
 */
public final class OptimizerKernels {
    private OptimizerKernels() {
    }

    /** {@link Ops#adamW} on elements {@code [from, to)}. */
    public static void adamW(float[] w, float[] g, float[] m, float[] v, Ops.AdamWStep s, int from, int to) {
        float b1 = s.beta1();
        float b2 = s.beta2();
        float stepSize = s.stepSize();
        float invC2 = s.invBiasCorrection2();
        float e = s.eps();
        float scale = s.gradScale();
        float decay = s.decay();
        for (int j = from; j < to; j++) {
            float gj = g[j] * scale;
            m[j] = b1 * m[j] + (1 - b1) * gj;
            v[j] = b2 * v[j] + (1 - b2) * gj * gj;
            w[j] = w[j] * decay - stepSize * m[j] / ((float) Math.sqrt(v[j] * invC2) + e);
        }
    }

    /** {@code Σ a[j]²} in double, four interleaved partial sums added in a fixed order. */
    public static double sumOfSquares(float[] a, int from, int to) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int j = from;
        for (; j + 4 <= to; j += 4) {
            s0 += (double) a[j] * a[j];
            s1 += (double) a[j + 1] * a[j + 1];
            s2 += (double) a[j + 2] * a[j + 2];
            s3 += (double) a[j + 3] * a[j + 3];
        }
        for (; j < to; j++) {
            s0 += (double) a[j] * a[j];
        }
        return (s0 + s1) + (s2 + s3);
    }
}
