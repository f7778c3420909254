package org.pararnn.conformance.f64;

import java.util.HashMap;
import java.util.Map;
import org.pararnn.cells.ParaLSTM;

/**
 * ParaLSTM in float64, state [c; h]: f = σ(A_f h + u_f + C_f c), c̃ = tanh(A_c h + u_c),
 * c' = f c + (1−f) c̃, o = σ(A_o h + u_o + C_o c'), h' = o tanh(c').
 */
public final class F64ParaLSTM implements F64Cell {
    final int n;
    final int d;
    final float[] a;
    final float[] c;
    final F64Projection proj;

    public F64ParaLSTM(ParaLSTM cell) {
        this.n = cell.inputWidth();
        this.d = cell.width();
        this.a = cell.parameter("A").data();
        this.c = cell.parameter("C").data();
        this.proj = new F64Projection(n, d, cell.heads(), cell.parameter("B").data(), cell.parameter("b").data());
    }

    @Override
    public int inputs() {
        return n;
    }

    @Override
    public int state() {
        return 2 * d;
    }

    @Override
    public int outOffset() {
        return d;
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
    public double[] step(double[] s, double[] u) {
        double[] out = new double[2 * d];
        for (int i = 0; i < d; i++) {
            double cp = s[i];
            double h = s[d + i];
            double f = F64ParaGRU.sig(a[i] * h + u[i] + c[i] * cp);
            double ct = Math.tanh(a[2 * d + i] * h + u[2 * d + i]);
            double cn = f * cp + (1 - f) * ct;
            double o = F64ParaGRU.sig(a[d + i] * h + u[d + i] + c[d + i] * cn);
            out[i] = cn;
            out[d + i] = o * Math.tanh(cn);
        }
        return out;
    }

    @Override
    public void stepBackward(double[] s, double[] u, double[] lam, double[] gs, double[] gu, Map<String, double[]> grads) {
        double[] ga = grads.get("A");
        double[] gc = grads.get("C");
        for (int i = 0; i < d; i++) {
            double cp = s[i];
            double h = s[d + i];
            double f = F64ParaGRU.sig(a[i] * h + u[i] + c[i] * cp);
            double ct = Math.tanh(a[2 * d + i] * h + u[2 * d + i]);
            double cn = f * cp + (1 - f) * ct;
            double o = F64ParaGRU.sig(a[d + i] * h + u[d + i] + c[d + i] * cn);
            double tc = Math.tanh(cn);
            // h' = o·tc, c' = cn
            double dO = lam[d + i] * tc;
            double dcn = lam[i] + lam[d + i] * o * (1 - tc * tc);
            double dpo = dO * o * (1 - o);
            dcn += dpo * c[d + i];
            double dh = dpo * a[d + i];
            double df = dcn * (cp - ct);
            double dcp = dcn * f;
            double dct = dcn * (1 - f);
            double dpf = df * f * (1 - f);
            double dpc = dct * (1 - ct * ct);
            dh += dpf * a[i] + dpc * a[2 * d + i];
            dcp += dpf * c[i];
            ga[i] += dpf * h;
            ga[d + i] += dpo * h;
            ga[2 * d + i] += dpc * h;
            gc[i] += dpf * cp;
            gc[d + i] += dpo * cn;
            gu[i] = dpf;
            gu[d + i] = dpo;
            gu[2 * d + i] = dpc;
            gs[i] = dcp;
            gs[d + i] = dh;
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
        m.put("C", new double[c.length]);
        m.put("B", new double[proj.bw.length]);
        m.put("b", new double[proj.bias.length]);
        return m;
    }
}
