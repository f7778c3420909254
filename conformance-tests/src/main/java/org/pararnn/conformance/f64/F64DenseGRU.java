package org.pararnn.conformance.f64;

import java.util.HashMap;
import java.util.Map;
import org.pararnn.cells.DenseGRU;

/** nn.GRUCell in float64: r, z = σ(W_i x + b_i + W_h h + b_h), n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1−z) n + z h. */
public final class F64DenseGRU implements F64Cell {
    final int n;
    final int d;
    final float[] wih;
    final float[] whh;
    final float[] bih;
    final float[] bhh;

    public F64DenseGRU(DenseGRU cell) {
        this.n = cell.inputWidth();
        this.d = cell.stateWidth();
        this.wih = cell.parameters().get(0).data();
        this.whh = cell.parameters().get(1).data();
        this.bih = cell.parameters().get(2).data();
        this.bhh = cell.parameters().get(3).data();
    }

    @Override
    public int inputs() {
        return n;
    }

    @Override
    public int state() {
        return d;
    }

    @Override
    public int outOffset() {
        return 0;
    }

    @Override
    public int outWidth() {
        return d;
    }

    @Override
    public double[] project(double[] x) {
        double[] u = new double[3 * d];
        for (int g = 0; g < 3 * d; g++) {
            double acc = bih[g];
            for (int j = 0; j < n; j++) {
                acc += wih[g * n + j] * x[j];
            }
            u[g] = acc;
        }
        return u;
    }

    private double[] hidden(double[] h) {
        double[] a = new double[3 * d];
        for (int g = 0; g < 3 * d; g++) {
            double acc = bhh[g];
            for (int j = 0; j < d; j++) {
                acc += whh[g * d + j] * h[j];
            }
            a[g] = acc;
        }
        return a;
    }

    @Override
    public double[] step(double[] h, double[] u) {
        double[] a = hidden(h);
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            double r = F64ParaGRU.sig(u[i] + a[i]);
            double z = F64ParaGRU.sig(u[d + i] + a[d + i]);
            double nn = Math.tanh(u[2 * d + i] + r * a[2 * d + i]);
            out[i] = (1 - z) * nn + z * h[i];
        }
        return out;
    }

    @Override
    public void stepBackward(double[] h, double[] u, double[] lam, double[] gh, double[] gu, Map<String, double[]> grads) {
        double[] a = hidden(h);
        double[] ga = new double[3 * d];
        for (int i = 0; i < d; i++) {
            double r = F64ParaGRU.sig(u[i] + a[i]);
            double z = F64ParaGRU.sig(u[d + i] + a[d + i]);
            double nn = Math.tanh(u[2 * d + i] + r * a[2 * d + i]);
            double dn = lam[i] * (1 - z);
            double dz = lam[i] * (h[i] - nn);
            gh[i] = lam[i] * z;
            double dpn = dn * (1 - nn * nn);
            double dr = dpn * a[2 * d + i];
            double dpr = dr * r * (1 - r);
            double dpz = dz * z * (1 - z);
            gu[i] = dpr;
            gu[d + i] = dpz;
            gu[2 * d + i] = dpn;
            ga[i] = dpr;
            ga[d + i] = dpz;
            ga[2 * d + i] = dpn * r;
        }
        double[] gw = grads.get("weight_hh");
        double[] gb = grads.get("bias_hh");
        for (int g = 0; g < 3 * d; g++) {
            gb[g] += ga[g];
            for (int j = 0; j < d; j++) {
                gw[g * d + j] += ga[g] * h[j];
                gh[j] += ga[g] * whh[g * d + j];
            }
        }
    }

    @Override
    public void projectBackward(double[] x, double[] gu, double[] gx, Map<String, double[]> grads) {
        double[] gw = grads.get("weight_ih");
        double[] gb = grads.get("bias_ih");
        for (int g = 0; g < 3 * d; g++) {
            gb[g] += gu[g];
            for (int j = 0; j < n; j++) {
                gw[g * n + j] += gu[g] * x[j];
                gx[j] += gu[g] * wih[g * n + j];
            }
        }
    }

    @Override
    public Map<String, double[]> zeroGrads() {
        Map<String, double[]> m = new HashMap<>();
        m.put("weight_ih", new double[wih.length]);
        m.put("weight_hh", new double[whh.length]);
        m.put("bias_ih", new double[bih.length]);
        m.put("bias_hh", new double[bhh.length]);
        return m;
    }
}
