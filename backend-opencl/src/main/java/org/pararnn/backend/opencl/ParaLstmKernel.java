package org.pararnn.backend.opencl;

/**
 * ParaLSTM on the device, state {@code [c; h]}: {@code f = σ(A_f h + u_f + C_f c)},
 * {@code c̃ = tanh(A_c h + u_c)}, {@code c' = f c + (1−f) c̃}, {@code o = σ(A_o h + u_o + C_o c')},
 * {@code h' = o tanh(c')} per feature. The Jacobian couples {@code c} and {@code h} of one feature:
 * block-diagonal with two blocks ({@code k = 2}), rows {@code c', h'}, columns {@code c, h}.
 * Same float operation order as the cell.
 */
final class ParaLstmKernel extends CellKernel {

    float forget(float c, float h, int p, int ui) {
        return sigmoid(w[p] * h + u[ui + p] + cw[p] * c);
    }

    float candidate(float h, int p, int ui) {
        return tanh(w[2 * dw + p] * h + u[ui + 2 * dw + p]);
    }

    float output(float h, float cn, int p, int ui) {
        return sigmoid(w[dw + p] * h + u[ui + dw + p] + cw[dw + p] * cn);
    }

    float dcc(float fg, float c, float ct, int p) {
        return fg + (c - ct) * (fg * (1f - fg)) * cw[p];
    }

    float dch(float fg, float c, float ct, int p) {
        return (c - ct) * (fg * (1f - fg)) * w[p] + (1f - fg) * (1f - ct * ct) * w[2 * dw + p];
    }

    float dhc(float vcc, float o, float tc, int p) {
        return vcc * ((o * (1f - o)) * cw[dw + p] * tc + o * (1f - tc * tc));
    }

    float dhh(float vch, float o, float tc, int p) {
        return (o * (1f - o)) * (w[dw + p] + cw[dw + p] * vch) * tc + o * (1f - tc * tc) * vch;
    }

    int cIndex(int b, int t, int p) {
        return (b * steps + t) * width + p;
    }

    float initialC(int b, int p) {
        return hasH0 == 1 ? h0[b * width + p] : 0f;
    }

    float initialH(int b, int p) {
        return hasH0 == 1 ? h0[b * width + dw + p] : 0f;
    }

    /** One lane per work-item through all steps, a barrier per step (see {@link ParaGruKernel#sequential()}). */
    @Override
    void sequential() {
        int gid = getGlobalId();
        int lane = gid < lanes ? gid : 0;
        int b = lane / dw;
        int p = lane % dw;
        float c = initialC(b, p);
        float h = initialH(b, p);
        for (int t = 0; t < steps; t++) {
            int ui = (b * steps + t) * 3 * dw;
            float fg = forget(c, h, p, ui);
            float ct = candidate(h, p, ui);
            float cn = fg * c + (1f - fg) * ct;
            float o = output(h, cn, p, ui);
            c = cn;
            h = o * tanh(cn);
            if (gid < lanes) {
                int si = cIndex(b, t, p);
                ySet(si, c);
                ySet(si + dw, h);
            }
            localBarrier();
        }
    }

    @Override
    void newton() {
        int gid = getGlobalId();
        if (gid < lanes * chunks) {
            int lane = gid % lanes;
            int c = gid / lanes;
            int b = lane / dw;
            int p = lane % dw;
            int s = chunkStart(c);
            int e = chunkStart(c + 1);
            float xc = initialC(b, p);
            float xh = initialH(b, p);
            if (s > 0) {
                int pi = cIndex(b, s - 1, p);
                xc = zeroGuess == 1 ? 0f : oldGet(pi);
                xh = zeroGuess == 1 ? 0f : oldGet(pi + dw);
            }
            float l0 = c == 0 ? xc : 0f;
            float l1 = c == 0 ? xh : 0f;
            float p00 = 1f;
            float p01 = 0f;
            float p10 = 0f;
            float p11 = 1f;
            float rm = 0f;
            float fm = 0f;
            for (int t = s; t < e; t++) {
                int ui = (b * steps + t) * 3 * dw;
                int si = cIndex(b, t, p);
                float fg = forget(xc, xh, p, ui);
                float ct = candidate(xh, p, ui);
                float cn = fg * xc + (1f - fg) * ct;
                float o = output(xh, cn, p, ui);
                float tc = tanh(cn);
                float hn = o * tc;
                float j00 = dcc(fg, xc, ct, p);
                float j01 = dch(fg, xc, ct, p);
                float j10 = dhc(j00, o, tc, p);
                float j11 = dhh(j01, o, tc, p);
                float oc = zeroGuess == 1 ? 0f : oldGet(si);
                float oh = zeroGuess == 1 ? 0f : oldGet(si + dw);
                rm = maxKeepNaN(rm, abs(oc - cn));
                rm = maxKeepNaN(rm, abs(oh - hn));
                fm = maxKeepNaN(fm, abs(cn));
                fm = maxKeepNaN(fm, abs(hn));
                float b0 = cn - (j00 * xc + j01 * xh);
                float b1 = hn - (j10 * xc + j11 * xh);
                float n0 = j00 * l0 + j01 * l1 + b0;
                float n1 = j10 * l0 + j11 * l1 + b1;
                l0 = n0;
                l1 = n1;
                float q00 = j00 * p00 + j01 * p10;
                float q01 = j00 * p01 + j01 * p11;
                float q10 = j10 * p00 + j11 * p10;
                float q11 = j10 * p01 + j11 * p11;
                p00 = q00;
                p01 = q01;
                p10 = q10;
                p11 = q11;
                int ai = (b * steps + t) * 4 * dw + p;
                a[ai] = j00;
                a[ai + dw] = j01;
                a[ai + 2 * dw] = j10;
                a[ai + 3 * dw] = j11;
                ySet(si, l0);
                ySet(si + dw, l1);
                xc = oc;
                xh = oh;
            }
            int o2 = c * lanes + lane;
            carH[2 * o2] = l0;
            carH[2 * o2 + 1] = l1;
            carP[4 * o2] = p00;
            carP[4 * o2 + 1] = p01;
            carP[4 * o2 + 2] = p10;
            carP[4 * o2 + 3] = p11;
            res[gid] = rm;
            fmax[gid] = fm;
        }
    }

    @Override
    void jacobian() {
        int gid = getGlobalId();
        if (gid < batch * steps * dw) {
            int p = gid % dw;
            int t = (gid / dw) % steps;
            int b = gid / (dw * steps);
            float xc = initialC(b, p);
            float xh = initialH(b, p);
            if (t > 0) {
                xc = y0[cIndex(b, t - 1, p)];
                xh = y0[cIndex(b, t - 1, p) + dw];
            }
            int ui = (b * steps + t) * 3 * dw;
            float fg = forget(xc, xh, p, ui);
            float ct = candidate(xh, p, ui);
            float cn = fg * xc + (1f - fg) * ct;
            float o = output(xh, cn, p, ui);
            float tc = tanh(cn);
            float j00 = dcc(fg, xc, ct, p);
            float j01 = dch(fg, xc, ct, p);
            int ai = (b * steps + t) * 4 * dw + p;
            a[ai] = j00;
            a[ai + dw] = j01;
            a[ai + 2 * dw] = dhc(j00, o, tc, p);
            a[ai + 3 * dw] = dhh(j01, o, tc, p);
        }
    }

    /** With the adjoint {@code (λ_c, λ_h)} in {@code y1}: {@code ∂L/∂u}, partial sums for A and C, {@code ∂L/∂h0 = J_0ᵀ λ_0}. */
    @Override
    void gradients() {
        int gid = getGlobalId();
        if (gid < lanes * chunks) {
            int lane = gid % lanes;
            int c = gid / lanes;
            int b = lane / dw;
            int p = lane % dw;
            int s = chunkStart(c);
            int e = chunkStart(c + 1);
            float saf = 0f;
            float sao = 0f;
            float sac = 0f;
            float scf = 0f;
            float sco = 0f;
            for (int t = s; t < e; t++) {
                float xc = initialC(b, p);
                float xh = initialH(b, p);
                if (t > 0) {
                    xc = y0[cIndex(b, t - 1, p)];
                    xh = y0[cIndex(b, t - 1, p) + dw];
                }
                int ui = (b * steps + t) * 3 * dw;
                int si = cIndex(b, t, p);
                float fg = forget(xc, xh, p, ui);
                float ct = candidate(xh, p, ui);
                float cn = fg * xc + (1f - fg) * ct;
                float o = output(xh, cn, p, ui);
                float tc = tanh(cn);
                float lc = y1[si];
                float lh = y1[si + dw];
                float go = lh * tc * o * (1f - o);
                float gcn = lc + lh * o * (1f - tc * tc) + go * cw[dw + p];
                float gf = gcn * (xc - ct) * fg * (1f - fg);
                float gct = gcn * (1f - fg) * (1f - ct * ct);
                gradU[ui + p] = gf;
                gradU[ui + dw + p] = go;
                gradU[ui + 2 * dw + p] = gct;
                saf += gf * xh;
                sao += go * xh;
                sac += gct * xh;
                scf += gf * xc;
                sco += go * cn;
                if (t == 0) {
                    int ai = b * steps * 4 * dw + p;
                    gradInit[b * width + p] = a[ai] * lc + a[ai + 2 * dw] * lh;
                    gradInit[b * width + dw + p] = a[ai + dw] * lc + a[ai + 3 * dw] * lh;
                }
            }
            gpart[5 * gid] = saf;
            gpart[5 * gid + 1] = sao;
            gpart[5 * gid + 2] = sac;
            gpart[5 * gid + 3] = scf;
            gpart[5 * gid + 4] = sco;
        }
    }
}
