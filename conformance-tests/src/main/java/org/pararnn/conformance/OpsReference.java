package org.pararnn.conformance;

import org.pararnn.api.ops.RmsNormKernels;

/**
 * The ops of {@code org.pararnn.api.ops.Ops} in float64, on plain arrays, as the ops group of the kit checks
 * them: written from the definitions, not from any backend's code.
 */
final class OpsReference {
    private OpsReference() {
    }

    /** op(a)[i][p] of a row-major {@code rows × cols} matrix at {@code off} with leading dimension {@code ld}. */
    static double at(float[] a, int off, int ld, boolean trans, int i, int p) {
        return trans ? a[off + p * ld + i] : a[off + i * ld + p];
    }

    /** {@code α·op(a)·op(b) + β·c} for element (i, j), and beside it {@code |α|·Σ|a b| + |β c|} (for the error bound). */
    static double[] matmul(float[] a, int aOff, int lda, boolean ta, float[] b, int bOff, int ldb, boolean tb, float[] c,
                           int cOff, int ldc, int i, int j, int k, float alpha, float beta) {
        double sum = 0;
        double mag = 0;
        for (int p = 0; p < k; p++) {
            double prod = at(a, aOff, lda, ta, i, p) * at(b, bOff, ldb, tb, p, j);
            sum += prod;
            mag += Math.abs(prod);
        }
        double old = beta == 0f ? 0 : (double) beta * c[cOff + i * ldc + j];
        return new double[] {alpha * sum + old, Math.abs(alpha) * mag + Math.abs(old)};
    }

    /** {@code log Σ exp} of row {@code r} of {@code x} (offset {@code off}, leading dimension {@code ld}), in float64. */
    static double logSumExp(float[] x, int off, int ld, int r, int v) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < v; j++) {
            max = Math.max(max, x[off + r * ld + j]);
        }
        double sum = 0;
        for (int j = 0; j < v; j++) {
            sum += Math.exp(x[off + r * ld + j] - max);
        }
        return max + Math.log(sum);
    }

    /** {@code {Σ (lse − x[t]), Σ lse², counted, Σ |lse − x[t]| + lse²}} over rows with a target ({@code ≥ 0}). */
    static double[] crossEntropy(float[] x, int off, int ld, int[] targets, int rows, int v) {
        double ce = 0;
        double z = 0;
        double mag = 0;
        int counted = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r] < 0) {
                continue;
            }
            double l = logSumExp(x, off, ld, r, v);
            ce += l - x[off + r * ld + targets[r]];
            z += l * l;
            mag += Math.abs(l - x[off + r * ld + targets[r]]) + l * l;
            counted++;
        }
        return new double[] {ce, z, counted, mag};
    }

    /** {@code {g, |p·factor| + [j = t]/counted}}: the gradient of the mean loss plus z-loss at (r, j), and its scale. */
    static double[] crossEntropyGradient(float[] x, int off, int ld, int[] targets, float zLoss, int counted, int r, int j, int v) {
        int t = targets[r];
        if (t < 0) {
            return new double[] {0, 0};
        }
        double l = logSumExp(x, off, ld, r, v);
        double pf = Math.exp(x[off + r * ld + j] - l) * (1 + 2.0 * zLoss * l) / counted;
        double hit = j == t ? 1.0 / counted : 0;
        return new double[] {pf - hit, Math.abs(pf) + hit};
    }

    /** 1/rms of each row of {@code x [rows][width]}. */
    static double[] invRms(float[] x, int rows, int width) {
        double[] inv = new double[rows];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int j = 0; j < width; j++) {
                ss += (double) x[r * width + j] * x[r * width + j];
            }
            inv[r] = 1 / Math.sqrt(ss / width + RmsNormKernels.RMS_EPS);
        }
        return inv;
    }

    /**
     * RMSNorm's gradients in float64: per row with {@code s = 1/rms}, {@code dx = s·(dy⊙g − x·s²·mean(dy⊙g⊙x))},
     * and the gain's {@code Σ_rows dy⊙x·s}.
     */
    static double[][] rmsNormBackward(float[] x, float[] g, float[] dy, int rows, int width) {
        double[] inv = invRms(x, rows, width);
        double[] dx = new double[rows * width];
        double[] dg = new double[width];
        for (int r = 0; r < rows; r++) {
            double s = inv[r];
            double dot = 0;
            for (int j = 0; j < width; j++) {
                dot += (double) dy[r * width + j] * g[j] * x[r * width + j];
                dg[j] += (double) dy[r * width + j] * x[r * width + j] * s;
            }
            double mean = s * dot / width;
            for (int j = 0; j < width; j++) {
                dx[r * width + j] = s * ((double) dy[r * width + j] * g[j] - x[r * width + j] * s * mean);
            }
        }
        return new double[][] {dx, dg};
    }
}
