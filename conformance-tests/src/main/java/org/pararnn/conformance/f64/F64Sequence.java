package org.pararnn.conformance.f64;

import java.util.Map;

/** Float64 forward and backpropagation through time over {@code [B][T][·]} data, for any {@link F64Cell}. */
public final class F64Sequence {
    public final double[] states;
    public final double[] output;
    public final double[] gradX;
    public final double[] gradH0;
    public final Map<String, double[]> grads;

    private F64Sequence(double[] states, double[] output, double[] gradX, double[] gradH0, Map<String, double[]> grads) {
        this.states = states;
        this.output = output;
        this.gradX = gradX;
        this.gradH0 = gradH0;
        this.grads = grads;
    }

    public static double[] row(float[] a, int off, int len) {
        double[] r = new double[len];
        for (int i = 0; i < len; i++) {
            r[i] = a[off + i];
        }
        return r;
    }

    /** Forward, and when {@code gy} is non-null the full backward of {@code L = Σ gy·y}. */
    public static F64Sequence run(F64Cell cell, float[] x, int batch, int steps, float[] h0, float[] gy) {
        int n = cell.inputs();
        int s = cell.state();
        int ow = cell.outWidth();
        int oo = cell.outOffset();
        double[] states = new double[batch * steps * s];
        double[] output = new double[batch * steps * ow];
        double[][] us = new double[batch * steps][];
        for (int b = 0; b < batch; b++) {
            double[] h = h0 == null ? new double[s] : row(h0, b * s, s);
            for (int t = 0; t < steps; t++) {
                int r = b * steps + t;
                us[r] = cell.project(row(x, r * n, n));
                h = cell.step(h, us[r]);
                System.arraycopy(h, 0, states, r * s, s);
                System.arraycopy(h, oo, output, r * ow, ow);
            }
        }
        if (gy == null) {
            return new F64Sequence(states, output, null, null, null);
        }
        Map<String, double[]> grads = cell.zeroGrads();
        double[] gradX = new double[batch * steps * n];
        double[] gradH0 = new double[batch * s];
        for (int b = 0; b < batch; b++) {
            double[] carry = new double[s];
            for (int t = steps - 1; t >= 0; t--) {
                int r = b * steps + t;
                double[] lam = carry.clone();
                for (int i = 0; i < ow; i++) {
                    lam[oo + i] += gy[r * ow + i];
                }
                double[] hPrev = t == 0 ? (h0 == null ? new double[s] : row(h0, b * s, s))
                        : java.util.Arrays.copyOfRange(states, (r - 1) * s, r * s);
                double[] gh = new double[s];
                double[] gu = new double[us[r].length];
                cell.stepBackward(hPrev, us[r], lam, gh, gu, grads);
                double[] gx = new double[n];
                cell.projectBackward(row(x, r * n, n), gu, gx, grads);
                System.arraycopy(gx, 0, gradX, r * n, n);
                carry = gh;
            }
            System.arraycopy(carry, 0, gradH0, b * s, s);
        }
        return new F64Sequence(states, output, gradX, gradH0, grads);
    }

    /** {@code L = Σ gy · y} in float64. */
    public static double loss(F64Cell cell, float[] x, int batch, int steps, float[] h0, float[] gy) {
        double[] y = run(cell, x, batch, steps, h0, null).output;
        double l = 0;
        for (int i = 0; i < y.length; i++) {
            l += y[i] * gy[i];
        }
        return l;
    }
}
