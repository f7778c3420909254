package org.pararnn.backend.cpu;

import org.pararnn.api.Tensor;
import org.pararnn.api.spi.Recurrence;

/**
 * ParaLSTM ({@code pararnn.paralstm}), state {@code [c; h]}: {@code f = σ(A_f h + u_f + C_f c)},
 * {@code c̃ = tanh(A_c h + u_c)}, {@code c' = f c + (1−f) c̃}, {@code o = σ(A_o h + u_o + C_o c')},
 * {@code h' = o tanh(c')}, per feature, in the same float operation order as the cell.
 */
final class FusedParaLstm extends FeatureParallelSolver {
    static final String TYPE = "pararnn.paralstm";

    FusedParaLstm(CpuLoop loop, int width, Tensor a, Tensor c) {
        super(loop, width, a, c);
    }

    @Override
    String cellName() {
        return "ParaLSTM";
    }

    @Override
    void forwardRange(Recurrence p, float[] init, float[] states, int b, int d0, int d1) {
        int dw = width;
        int s = 2 * dw;
        int steps = p.steps();
        float[] u = p.u();
        for (int t = 0; t < steps; t++) {
            int r = b * steps + t;
            float[] prev = t == 0 ? init : states;
            int pOff = t == 0 ? b * s : (r - 1) * s;
            int uOff = r * 3 * dw;
            int oOff = r * s;
            for (int d = d0; d < d1; d++) {
                float cPrev = prev[pOff + d];
                float h = prev[pOff + dw + d];
                float fg = sigmoid(a[d] * h + u[uOff + d] + c[d] * cPrev);
                float ct = tanh(a[2 * dw + d] * h + u[uOff + 2 * dw + d]);
                float cn = fg * cPrev + (1f - fg) * ct;
                float o = sigmoid(a[dw + d] * h + u[uOff + dw + d] + c[dw + d] * cn);
                states[oOff + d] = cn;
                states[oOff + dw + d] = o * tanh(cn);
            }
        }
    }

    @Override
    void backwardRange(Recurrence p, float[] init, float[] states, float[] gradStates, float[] gradU, float[] gradA,
                       float[] gradC, float[] gradInit, int b, int d0, int d1) {
        int dw = width;
        int s = 2 * dw;
        int steps = p.steps();
        float[] u = p.u();
        int n = d1 - d0;
        float[] carryC = new float[n];
        float[] carryH = new float[n];
        for (int t = steps - 1; t >= 0; t--) {
            int r = b * steps + t;
            float[] prev = t == 0 ? init : states;
            int pOff = t == 0 ? b * s : (r - 1) * s;
            int uOff = r * 3 * dw;
            for (int d = d0; d < d1; d++) {
                float cPrev = prev[pOff + d];
                float h = prev[pOff + dw + d];
                float af = a[d];
                float ao = a[dw + d];
                float ac = a[2 * dw + d];
                float cf = c[d];
                float co = c[dw + d];
                float fg = sigmoid(af * h + u[uOff + d] + cf * cPrev);
                float ct = tanh(ac * h + u[uOff + 2 * dw + d]);
                float cn = fg * cPrev + (1f - fg) * ct;
                float o = sigmoid(ao * h + u[uOff + dw + d] + co * cn);
                float tc = tanh(cn);
                float lc = gradStates[r * s + d] + carryC[d - d0];
                float lh = gradStates[r * s + dw + d] + carryH[d - d0];
                float go = lh * tc * o * (1f - o);
                float gcn = lc + lh * o * (1f - tc * tc) + go * co;
                float gf = gcn * (cPrev - ct) * fg * (1f - fg);
                float gct = gcn * (1f - fg) * (1f - ct * ct);
                gradU[uOff + d] = gf;
                gradU[uOff + dw + d] = go;
                gradU[uOff + 2 * dw + d] = gct;
                gradA[d] += gf * h;
                gradA[dw + d] += go * h;
                gradA[2 * dw + d] += gct * h;
                gradC[d] += gf * cPrev;
                gradC[dw + d] += go * cn;
                // Jᵀλ with J = [[dcc, dch], [dhc, dhh]] (rows c', h'; columns c, h).
                float fp = fg * (1f - fg);
                float op = o * (1f - o);
                float dcc = fg + (cPrev - ct) * fp * cf;
                float dch = (cPrev - ct) * fp * af + (1f - fg) * (1f - ct * ct) * ac;
                float through = o * (1f - tc * tc);
                float dhc = dcc * (op * co * tc + through);
                float dhh = op * (ao + co * dch) * tc + through * dch;
                carryC[d - d0] = dcc * lc + dhc * lh;
                carryH[d - d0] = dch * lc + dhh * lh;
            }
        }
        for (int d = d0; d < d1; d++) {
            gradInit[b * s + d] = carryC[d - d0];
            gradInit[b * s + dw + d] = carryH[d - d0];
        }
    }
}
