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
