package org.pararnn.api.toy;

/** Independent float64 forward of a toy cell and the loss {@code L = Σ gy · y}, for references and finite differences. */
public final class Float64Reference {
    private Float64Reference() {
    }

    /** States {@code [B][T][S]} in float64, from {@code x [B][T][N]} and {@code h0 [B][S]} (null: zeros). */
    public static double[] forward(ToyCell cell, float[] x, int batch, int steps, float[] h0) {
        int n = cell.inputWidth();
        int s = cell.stateWidth();
        double[] out = new double[batch * steps * s];
        for (int b = 0; b < batch; b++) {
            double[] h = new double[s];
            if (h0 != null) {
                for (int i = 0; i < s; i++) {
                    h[i] = h0[b * s + i];
                }
            }
            for (int t = 0; t < steps; t++) {
                double[] xt = new double[n];
                for (int j = 0; j < n; j++) {
                    xt[j] = x[(b * steps + t) * n + j];
                }
                h = cell.stepDouble(h, cell.projectDouble(xt));
                System.arraycopy(h, 0, out, (b * steps + t) * s, s);
            }
        }
        return out;
    }

    public static double loss(ToyCell cell, float[] x, int batch, int steps, float[] h0, float[] gy) {
        double[] h = forward(cell, x, batch, steps, h0);
        double l = 0;
        for (int i = 0; i < h.length; i++) {
            l += h[i] * gy[i];
        }
        return l;
    }
}
