package org.pararnn.backend.cpu;

/**
 * Plain loops of the fused cell kernels: the fallback when the Vector API is absent, the tails of the
 * vector kernels, and the reference they match bit for bit. Float operation order follows the cells'
 * own steps; the exp-family functions are {@link FastMath}.
 */
final class ScalarFusedRows implements FusedRows {
    static final ScalarFusedRows INSTANCE = new ScalarFusedRows();

    private ScalarFusedRows() {
    }

    /** {@code ∂h'/∂h} of one ParaGRU step from its gates, shared by the adjoint and the Newton kernels. */
    static float gruJacobian(float h, float az, float ar, float ah, float z, float rg, float n) {
        float dn = (1f - n * n) * ah * (rg + h * rg * (1f - rg) * ar);
        return z * (1f - z) * az * (n - h) + z * dn + (1f - z);
    }

    @Override
    public void gruForward(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] out, int oOff,
                           int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            float h = prev[pOff + d];
            float z = FastMath.sigmoid(a[d] * h + u[uOff + d]);
            float rg = FastMath.sigmoid(a[dw + d] * h + u[uOff + dw + d]);
            float n = FastMath.tanh(a[2 * dw + d] * h * rg + u[uOff + 2 * dw + d]);
            out[oOff + d] = z * n + (1f - z) * h;
        }
    }

    @Override
    public void gruBackward(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates,
                            int gOff, float[] carry, float[] gradU, float[] gradA, int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            float h = prev[pOff + d];
            float az = a[d];
            float ar = a[dw + d];
            float ah = a[2 * dw + d];
            float z = FastMath.sigmoid(az * h + u[uOff + d]);
            float rg = FastMath.sigmoid(ar * h + u[uOff + dw + d]);
            float n = FastMath.tanh(ah * h * rg + u[uOff + 2 * dw + d]);
            float l = gradStates[gOff + d] + carry[d];
            float gz = l * (n - h) * z * (1f - z);
            float gn = l * z * (1f - n * n);
            float gr = gn * ah * h * rg * (1f - rg);
            gradU[uOff + d] = gz;
            gradU[uOff + dw + d] = gr;
            gradU[uOff + 2 * dw + d] = gn;
            gradA[d] += gz * h;
            gradA[dw + d] += gr * h;
            gradA[2 * dw + d] += gn * h * rg;
            float jac = gruJacobian(h, az, ar, ah, z, rg, n);
            carry[d] = jac * l;
        }
    }

    @Override
    public void lstmForward(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff, float[] out,
                            int oOff, int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            float cPrev = prev[pOff + d];
            float h = prev[pOff + dw + d];
            float fg = FastMath.sigmoid(a[d] * h + u[uOff + d] + c[d] * cPrev);
            float ct = FastMath.tanh(a[2 * dw + d] * h + u[uOff + 2 * dw + d]);
            float cn = fg * cPrev + (1f - fg) * ct;
            float o = FastMath.sigmoid(a[dw + d] * h + u[uOff + dw + d] + c[dw + d] * cn);
            out[oOff + d] = cn;
            out[oOff + dw + d] = o * FastMath.tanh(cn);
        }
    }

    @Override
    public void lstmBackward(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff,
                             float[] gradStates, int gOff, float[] carryC, float[] carryH, float[] gradU,
                             float[] gradA, float[] gradC, int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            float cPrev = prev[pOff + d];
            float h = prev[pOff + dw + d];
            float af = a[d];
            float ao = a[dw + d];
            float ac = a[2 * dw + d];
            float cf = c[d];
            float co = c[dw + d];
            float fg = FastMath.sigmoid(af * h + u[uOff + d] + cf * cPrev);
            float ct = FastMath.tanh(ac * h + u[uOff + 2 * dw + d]);
            float cn = fg * cPrev + (1f - fg) * ct;
            float o = FastMath.sigmoid(ao * h + u[uOff + dw + d] + co * cn);
            float tc = FastMath.tanh(cn);
            float lc = gradStates[gOff + d] + carryC[d];
            float lh = gradStates[gOff + dw + d] + carryH[d];
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
            carryC[d] = dcc * lc + dhc * lh;
            carryH[d] = dch * lc + dhh * lh;
        }
    }

    @Override
    public void gruNewton(float[] a, int dw, float[] prev, int pOff, float[] old, int oldOff, float[] u, int uOff,
                          float[] loc, float[] prod, float[] out, int oOff, float[] prodOut, float[] resMax,
                          float[] fMax, int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            int i = d;
            float h = prev[pOff + d];
            float az = a[d];
            float ar = a[dw + d];
            float ah = a[2 * dw + d];
            float z = FastMath.sigmoid(az * h + u[uOff + d]);
            float rg = FastMath.sigmoid(ar * h + u[uOff + dw + d]);
            float n = FastMath.tanh(ah * h * rg + u[uOff + 2 * dw + d]);
            float f = z * n + (1f - z) * h;
            float jac = gruJacobian(h, az, ar, ah, z, rg, n);
            resMax[i] = Math.max(resMax[i], Math.abs(old[oldOff + d] - f));
            fMax[i] = Math.max(fMax[i], Math.abs(f));
            float l = Math.fma(jac, loc[i], f - jac * h);
            loc[i] = l;
            out[oOff + d] = l;
            if (prod != null) {
                float q = jac * prod[i];
                prod[i] = q;
                prodOut[oOff + d] = q;
            }
        }
    }

    @Override
    public void gruResidualSeries(float az, float ar, float ah, float hPrev, float[] old, int base, float[] gates,
                                  int stride, int t0, int t1, float[] run) {
        float resMax = run[2];
        float fMax = run[3];
        for (int t = t0; t < t1; t++) {
            float h = t == t0 ? hPrev : old[base + t - 1];
            int g = base + t;
            float z = FastMath.sigmoid(az * h + gates[g]);
            float rg = FastMath.sigmoid(ar * h + gates[stride + g]);
            float n = FastMath.tanh(ah * h * rg + gates[2 * stride + g]);
            float f = z * n + (1f - z) * h;
            resMax = Math.max(resMax, Math.abs(old[base + t] - f));
            fMax = Math.max(fMax, Math.abs(f));
        }
        run[2] = resMax;
        run[3] = fMax;
    }

    @Override
    public void gruNewtonSeries(float az, float ar, float ah, float hPrev, float[] old, int base, float[] gates,
                                int stride, int t0, int t1, boolean withProducts, float[] out, float[] prodOut,
                                float[] run) {
        float loc = run[0];
        float prod = run[1];
        float resMax = run[2];
        float fMax = run[3];
        for (int t = t0; t < t1; t++) {
            float h = t == t0 ? hPrev : old == null ? 0f : old[base + t - 1];
            int g = base + t;
            float z = FastMath.sigmoid(az * h + gates[g]);
            float rg = FastMath.sigmoid(ar * h + gates[stride + g]);
            float n = FastMath.tanh(ah * h * rg + gates[2 * stride + g]);
            float f = z * n + (1f - z) * h;
            float jac = gruJacobian(h, az, ar, ah, z, rg, n);
            resMax = Math.max(resMax, Math.abs((old == null ? 0f : old[base + t]) - f));
            fMax = Math.max(fMax, Math.abs(f));
            loc = Math.fma(jac, loc, f - jac * h);
            out[base + t] = loc;
            if (withProducts) {
                prod = jac * prod;
                prodOut[base + t] = prod;
            }
        }
        run[0] = loc;
        run[1] = prod;
        run[2] = resMax;
        run[3] = fMax;
    }

    @Override
    public void gruAdjointLocal(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates,
                                int gOff, float[] carry, float[] qRun, float[] jac, float[] gradU, float[] loc,
                                float[] q, int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            int i = d;
            float h = prev[pOff + d];
            float az = a[d];
            float ar = a[dw + d];
            float ah = a[2 * dw + d];
            float z = FastMath.sigmoid(az * h + u[uOff + d]);
            float rg = FastMath.sigmoid(ar * h + u[uOff + dw + d]);
            float n = FastMath.tanh(ah * h * rg + u[uOff + 2 * dw + d]);
            gradU[uOff + d] = z;
            gradU[uOff + dw + d] = rg;
            gradU[uOff + 2 * dw + d] = n;
            float j = gruJacobian(h, az, ar, ah, z, rg, n);
            float l = gradStates[gOff + d] + carry[i];
            loc[gOff + d] = l;
            q[gOff + d] = qRun[i];
            carry[i] = j * l;
            qRun[i] = j * qRun[i];
            jac[i] = j;
        }
    }

    @Override
    public void gruAdjointFinish(float[] a, int dw, float[] prev, int pOff, float[] gradU, int uOff, float[] loc,
                                 float[] q, int gOff, float[] carryIn, float[] gradA, int d0, int d1) {
        for (int d = d0; d < d1; d++) {
            float h = prev[pOff + d];
            float ah = a[2 * dw + d];
            float z = gradU[uOff + d];
            float rg = gradU[uOff + dw + d];
            float n = gradU[uOff + 2 * dw + d];
            float l = Math.fma(q[gOff + d], carryIn[d], loc[gOff + d]);
            float gz = l * (n - h) * z * (1f - z);
            float gn = l * z * (1f - n * n);
            float gr = gn * ah * h * rg * (1f - rg);
            gradU[uOff + d] = gz;
            gradU[uOff + dw + d] = gr;
            gradU[uOff + 2 * dw + d] = gn;
            gradA[d] += gz * h;
            gradA[dw + d] += gr * h;
            gradA[2 * dw + d] += gn * h * rg;
        }
    }
}
