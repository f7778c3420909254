package org.pararnn.cells;

import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;

/**
 * The reference's CIFG LSTM with peepholes (docs/design.md §2), state {@code [c; h]} of width {@code 2D},
 * output {@code h}:
 * <pre>
 *   f  = σ(A_f⊙h + u_f + C_f⊙c)      c̃ = tanh(A_c⊙h + u_c)      c' = f⊙c + (1−f)⊙c̃
 *   o  = σ(A_o⊙h + u_o + C_o⊙c')     h' = o⊙tanh(c')
 * </pre>
 * Feature {@code p} of {@code c'} and {@code h'} depends only on feature {@code p} of {@code c} and
 * {@code h}: the Jacobian is block-diagonal with 2×2 blocks ({@code [2][2][D]}, rows {@code c', h'},
 * columns {@code c, h}). Parameters {@code A [3,D]} and {@code b [3,D]} rows {@code f, o, c};
 * {@code B [H,N/H,3,D/H]}; {@code C [2,D]} rows {@code f, o}.
 */
public final class ParaLSTM extends ParaCell {
    public static final String TYPE = "pararnn.paralstm";

    public ParaLSTM(int inputs, int width, int heads) {
        super(inputs, width, heads, true);
    }

    public static ParaLSTM create(int inputs, int width, int heads, long seed) {
        ParaLSTM cell = new ParaLSTM(inputs, width, heads);
        cell.initialize(Initialization.REFERENCE, seed);
        return cell;
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public int stateWidth() {
        return 2 * width;
    }

    @Override
    public int outputOffset() {
        return width;
    }

    @Override
    public int outputWidth() {
        return width;
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return JacobianStructure.blockDiagonal(2);
    }

    @Override
    protected int gateBiasRow() {
        return 0;
    }

    @Override
    protected boolean gateKeepsState() {
        return true; // c = f·c + (1 − f)·c̃: a high f keeps c
    }

    @Override
    public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
        linearize(hPrev, hOff, u, uOff, out, outOff, null, 0);
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        float[] av = a.data();
        float[] cv = c.data();
        int dw = width;
        for (int d = 0; d < dw; d++) {
            float cPrev = hPrev[hOff + d];
            float h = hPrev[hOff + dw + d];
            float af = av[d];
            float ao = av[dw + d];
            float ac = av[2 * dw + d];
            float cf = cv[d];
            float co = cv[dw + d];
            float fg = sigmoid(af * h + u[uOff + d] + cf * cPrev);
            float ct = tanh(ac * h + u[uOff + 2 * dw + d]);
            float cn = fg * cPrev + (1f - fg) * ct;
            float o = sigmoid(ao * h + u[uOff + dw + d] + co * cn);
            float tc = tanh(cn);
            f[fOff + d] = cn;
            f[fOff + dw + d] = o * tc;
            if (jac != null) {
                float fp = fg * (1f - fg);
                float op = o * (1f - o);
                float dcc = fg + (cPrev - ct) * fp * cf;
                float dch = (cPrev - ct) * fp * af + (1f - fg) * (1f - ct * ct) * ac;
                float through = o * (1f - tc * tc);
                jac[jOff + d] = dcc;
                jac[jOff + dw + d] = dch;
                jac[jOff + 2 * dw + d] = dcc * (op * co * tc + through);
                jac[jOff + 3 * dw + d] = op * (ao + co * dch) * tc + through * dch;
            }
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] av = a.data();
        float[] cv = c.data();
        float[] ga = grads.data("A");
        float[] gc = grads.data("C");
        int dw = width;
        for (int d = 0; d < dw; d++) {
            float cPrev = hPrev[hOff + d];
            float h = hPrev[hOff + dw + d];
            float cf = cv[d];
            float co = cv[dw + d];
            float fg = sigmoid(av[d] * h + u[uOff + d] + cf * cPrev);
            float ct = tanh(av[2 * dw + d] * h + u[uOff + 2 * dw + d]);
            float cn = fg * cPrev + (1f - fg) * ct;
            float o = sigmoid(av[dw + d] * h + u[uOff + dw + d] + co * cn);
            float tc = tanh(cn);
            float lc = lambda[lOff + d];
            float lh = lambda[lOff + dw + d];
            float go = lh * tc * o * (1f - o);
            float gcn = lc + lh * o * (1f - tc * tc) + go * co;
            float gf = gcn * (cPrev - ct) * fg * (1f - fg);
            float gct = gcn * (1f - fg) * (1f - ct * ct);
            gradU[guOff + d] = gf;
            gradU[guOff + dw + d] = go;
            gradU[guOff + 2 * dw + d] = gct;
            ga[d] += gf * h;
            ga[dw + d] += go * h;
            ga[2 * dw + d] += gct * h;
            gc[d] += gf * cPrev;
            gc[dw + d] += go * cn;
        }
    }
}
