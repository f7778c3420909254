package org.pararnn.conformance.f64;

import java.util.HashMap;
import java.util.Map;
import org.pararnn.cells.ParaGRU;

/** ParaGRU in float64: z = σ(A_z h + u_z), r = σ(A_r h + u_r), n = tanh(A_h h r + u_h), h' = z n + (1−z) h. */
public final class F64ParaGRU implements F64Cell {
    final int n;
    final int d;
    final float[] a;
    final F64Projection proj;

    public F64ParaGRU(ParaGRU cell) {
        this.n = cell.inputWidth();
        this.d = cell.width();
        this.a = cell.parameter("A").data();
        this.proj = new F64Projection(n, d, cell.heads(), cell.parameter("B").data(), cell.parameter("b").data());
    }

    static double sig(double v) {
        return 1 / (1 + Math.exp(-v));
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
        return proj.project(x);
    }

    @Override
    public double[] step(double[] h, double[] u) {
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            double z = sig(a[i] * h[i] + u[i]);
            double r = sig(a[d + i] * h[i] + u[d + i]);
            double nn = Math.tanh(a[2 * d + i] * h[i] * r + u[2 * d + i]);
            out[i] = z * nn + (1 - z) * h[i];
        }
        return out;
    }

    @Override
    public void stepBackward(double[] h, double[] u, double[] lam, double[] gh, double[] gu, Map<String, double[]> grads) {
        double[] ga = grads.get("A");
        for (int i = 0; i < d; i++) {
            double az = a[i];
            double ar = a[d + i];
            double ah = a[2 * d + i];
            double pz = az * h[i] + u[i];
            double pr = ar * h[i] + u[d + i];
            double z = sig(pz);
            double r = sig(pr);
            double pn = ah * h[i] * r + u[2 * d + i];
            double nn = Math.tanh(pn);
            // out = z·nn + (1−z)·h
            double dz = lam[i] * (nn - h[i]);
            double dnn = lam[i] * z;
            double dh = lam[i] * (1 - z);
            double dpz = dz * z * (1 - z);
            double dpn = dnn * (1 - nn * nn);
            double dr = dpn * ah * h[i];
            double dpr = dr * r * (1 - r);
            dh += dpz * az + dpr * ar + dpn * ah * r;
            ga[i] += dpz * h[i];
            ga[d + i] += dpr * h[i];
            ga[2 * d + i] += dpn * h[i] * r;
            gu[i] = dpz;
            gu[d + i] = dpr;
            gu[2 * d + i] = dpn;
            gh[i] = dh;
        }
    }

    @Override
    public void projectBackward(double[] x, double[] gu, double[] gx, Map<String, double[]> grads) {
        proj.backward(x, gu, gx, grads);
    }

    @Override
    public Map<String, double[]> zeroGrads() {
        Map<String, double[]> m = new HashMap<>();
        m.put("A", new double[a.length]);
        m.put("B", new double[proj.bw.length]);
        m.put("b", new double[proj.bias.length]);
        return m;
    }
}
