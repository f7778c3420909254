package org.pararnn.conformance;

import org.pararnn.api.JacobianStructure;

/**
 * The linear recurrences of {@code ScanProblem} in float64, step by step, through the structure's
 * multiply on doubles written out here (the ground truth of the scan checks).
 */
public final class Float64Scan {
    private Float64Scan() {
    }

    /** {@code y = J x} in float64 for one step's coefficients; {@code transposed} gives {@code Jᵀ x}. */
    static double[] apply(JacobianStructure st, float[] a, int aOff, double[] x, int s, boolean transposed) {
        double[] y = new double[s];
        switch (st) {
            case JacobianStructure.Diagonal d -> {
                for (int i = 0; i < s; i++) {
                    y[i] = a[aOff + i] * x[i];
                }
            }
            case JacobianStructure.BlockDiagonal bd -> {
                int k = bd.blocks();
                int m = s / k;
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        for (int p = 0; p < m; p++) {
                            double c = a[aOff + (i * k + j) * m + p];
                            if (transposed) {
                                y[j * m + p] += c * x[i * m + p];
                            } else {
                                y[i * m + p] += c * x[j * m + p];
                            }
                        }
                    }
                }
            }
            case JacobianStructure.Dense d -> {
                for (int r = 0; r < s; r++) {
                    for (int c = 0; c < s; c++) {
                        double v = a[aOff + r * s + c];
                        if (transposed) {
                            y[c] += v * x[r];
                        } else {
                            y[r] += v * x[c];
                        }
                    }
                }
            }
        }
        return y;
    }

    /** Forward over {@code [from, to)} from {@code init} (null: zeros); entries outside stay 0. */
    public static double[] forward(JacobianStructure st, int batch, int steps, int s, int from, int to,
                                   float[] a, float[] b, float[] init) {
        int c = st.coefficientsPerStep(s);
        double[] out = new double[batch * steps * s];
        for (int bi = 0; bi < batch; bi++) {
            double[] h = new double[s];
            if (init != null) {
                for (int i = 0; i < s; i++) {
                    h[i] = init[bi * s + i];
                }
            }
            for (int t = from; t < to; t++) {
                int row = bi * steps + t;
                double[] nh = apply(st, a, row * c, h, s, false);
                for (int i = 0; i < s; i++) {
                    nh[i] += b[row * s + i];
                }
                h = nh;
                System.arraycopy(h, 0, out, row * s, s);
            }
        }
        return out;
    }

    /** Reverse over {@code [from, to)} with carry {@code λ_to} (null: none). */
    public static double[] reverse(JacobianStructure st, int batch, int steps, int s, int from, int to,
                                   float[] a, float[] b, float[] carry) {
        int c = st.coefficientsPerStep(s);
        double[] out = new double[batch * steps * s];
        for (int bi = 0; bi < batch; bi++) {
            double[] l = null;
            int lRow = bi * steps + to;
            if (carry != null) {
                l = new double[s];
                for (int i = 0; i < s; i++) {
                    l[i] = carry[bi * s + i];
                }
            }
            for (int t = to - 1; t >= from; t--) {
                int row = bi * steps + t;
                double[] nl = l == null ? new double[s] : apply(st, a, lRow * c, l, s, true);
                for (int i = 0; i < s; i++) {
                    nl[i] += b[row * s + i];
                }
                l = nl;
                lRow = row;
                System.arraycopy(l, 0, out, row * s, s);
            }
        }
        return out;
    }
}
