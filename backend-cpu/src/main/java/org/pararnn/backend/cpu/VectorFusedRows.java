package org.pararnn.backend.cpu;

import static jdk.incubator.vector.FloatVector.fromArray;
import static org.pararnn.backend.cpu.VectorFastMath.SPECIES;
import static org.pararnn.backend.cpu.VectorFastMath.sigmoid;
import static org.pararnn.backend.cpu.VectorFastMath.tanh;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;

/**
 * The fused cell kernels on the Vector API: whole vectors over the features ({@code loopBound}), the
 * remainder by {@link ScalarFusedRows}. Every lane performs the scalar kernel's operations in the same
 * order (products left to right, no contraction into FMA where the scalar has none), so results are
 * bit-identical to the scalar path; only loaded when {@code jdk.incubator.vector} is present.
 *
 * <p>Each kernel runs in stages over a per-thread scratch row: gate pre-activations, then the
 * exp-family function as its own array loop ({@link VectorFastMath#sigmoid(float[], int, int)}), then
 * the element-wise rest. One method holding three or four inlined exp evaluations exceeds C2's inlining
 * budget, and the vectors then get boxed; staged, every loop compiles fully.
 *
 * <p>Inside the loops only the Vector API's own methods are called, never a helper of ours that takes or
 * returns a vector (a {@code load} wrapper, a shared Jacobian expression): C2 force-inlines the Vector
 * API's methods whatever the size of the compilation, but stops inlining ordinary ones once a compilation
 * is large ({@code NodeCountInliningCutoff}), or when the helper already has big compiled code of its own;
 * every vector crossing such a call is then boxed. That is why the GRU Jacobian is written out at each
 * use. Boxed vectors cost 2–3× the time and show nowhere else, so
 * {@code FusedRowsTest.kernelsDoNotAllocateOnceCompiled} keeps every kernel allocation-free.
 */
final class VectorFusedRows implements FusedRows {
    static final VectorFusedRows INSTANCE = new VectorFusedRows();
    private static final int L = SPECIES.length();
    /** Steps per block of the single-feature series kernel. */
    private static final int BLOCK = 16 * L;
    /** Lane i takes lane i − k (k = 1, 2, 4, 8); the lanes below k are replaced (HEAD masks) by the identity. */
    private static final VectorShuffle<Float> SHIFT1 = shift(1);
    private static final VectorShuffle<Float> SHIFT2 = shift(2);
    private static final VectorShuffle<Float> SHIFT4 = shift(4);
    private static final VectorShuffle<Float> SHIFT8 = shift(8);
    private static final VectorMask<Float> HEAD1 = head(1);
    private static final VectorMask<Float> HEAD2 = head(2);
    private static final VectorMask<Float> HEAD4 = head(4);
    private static final VectorMask<Float> HEAD8 = head(8);

    private static VectorShuffle<Float> shift(int k) {
        return VectorShuffle.fromOp(SPECIES, i -> Math.max(0, i - k));
    }

    private static VectorMask<Float> head(int k) {
        boolean[] bits = new boolean[L];
        for (int i = 0; i < Math.min(k, L); i++) {
            bits[i] = true;
        }
        return VectorMask.fromArray(SPECIES, bits, 0);
    }

    /** Series scratch: three rows of gates, the old states (a block and one more), two vectors of maxima. */
    private static final int OLD = 3 * BLOCK;
    private static final int SERIES_MAX = OLD + BLOCK + L;
    private static final int SERIES_SCRATCH = SERIES_MAX + 2 * L;
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[SERIES_SCRATCH]);

    private VectorFusedRows() {
    }

    private static float[] scratch(int n) {
        float[] w = SCRATCH.get();
        if (w.length < n) {
            w = new float[n];
            SCRATCH.set(w);
        }
        return w;
    }

    /** ParaGRU gates of features {@code [d0, d0+n)} into {@code w}: z at 0, r at n, candidate n at 2n. */
    private static void gruGates(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] w, int d0,
                                 int n) {
        for (int i = 0; i < n; i += L) {
            int d = d0 + i;
            FloatVector h = fromArray(SPECIES, prev, pOff + d);
            fromArray(SPECIES, a, d).mul(h).add(fromArray(SPECIES, u, uOff + d)).intoArray(w, i);
            fromArray(SPECIES, a, dw + d).mul(h).add(fromArray(SPECIES, u, uOff + dw + d)).intoArray(w, n + i);
        }
        sigmoid(w, 0, 2 * n);
        for (int i = 0; i < n; i += L) {
            int d = d0 + i;
            FloatVector h = fromArray(SPECIES, prev, pOff + d);
            fromArray(SPECIES, a, 2 * dw + d).mul(h).mul(fromArray(SPECIES, w, n + i))
                    .add(fromArray(SPECIES, u, uOff + 2 * dw + d)).intoArray(w, 2 * n + i);
        }
        tanh(w, 2 * n, n);
    }

    @Override
    public void gruForward(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] out, int oOff,
                           int d0, int d1) {
        int n = SPECIES.loopBound(d1 - d0);
        if (n > 0) {
            float[] w = scratch(3 * n);
            gruGates(a, dw, prev, pOff, u, uOff, w, d0, n);
            for (int i = 0; i < n; i += L) {
                int d = d0 + i;
                FloatVector h = fromArray(SPECIES, prev, pOff + d);
                FloatVector z = fromArray(SPECIES, w, i);
                z.mul(fromArray(SPECIES, w, 2 * n + i)).add(z.neg().add(1f).mul(h)).intoArray(out, oOff + d);
            }
        }
        ScalarFusedRows.INSTANCE.gruForward(a, dw, prev, pOff, u, uOff, out, oOff, d0 + n, d1);
    }

    @Override
    public void gruBackward(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates,
                            int gOff, float[] carry, float[] gradU, float[] gradA, int d0, int d1) {
        int nv = SPECIES.loopBound(d1 - d0);
        if (nv > 0) {
            float[] w = scratch(3 * nv);
            gruGates(a, dw, prev, pOff, u, uOff, w, d0, nv);
            for (int i = 0; i < nv; i += L) {
                int d = d0 + i;
                FloatVector h = fromArray(SPECIES, prev, pOff + d);
                FloatVector az = fromArray(SPECIES, a, d);
                FloatVector ar = fromArray(SPECIES, a, dw + d);
                FloatVector ah = fromArray(SPECIES, a, 2 * dw + d);
                FloatVector z = fromArray(SPECIES, w, i);
                FloatVector rg = fromArray(SPECIES, w, nv + i);
                FloatVector n = fromArray(SPECIES, w, 2 * nv + i);
                FloatVector l = fromArray(SPECIES, gradStates, gOff + d).add(fromArray(SPECIES, carry, d));
                FloatVector oneMinusZ = z.neg().add(1f);
                FloatVector oneMinusR = rg.neg().add(1f);
                FloatVector oneMinusN2 = n.mul(n).neg().add(1f);
                FloatVector nMinusH = n.sub(h);
                FloatVector gz = l.mul(nMinusH).mul(z).mul(oneMinusZ);
                FloatVector gn = l.mul(z).mul(oneMinusN2);
                FloatVector gr = gn.mul(ah).mul(h).mul(rg).mul(oneMinusR);
                gz.intoArray(gradU, uOff + d);
                gr.intoArray(gradU, uOff + dw + d);
                gn.intoArray(gradU, uOff + 2 * dw + d);
                fromArray(SPECIES, gradA, d).add(gz.mul(h)).intoArray(gradA, d);
                fromArray(SPECIES, gradA, dw + d).add(gr.mul(h)).intoArray(gradA, dw + d);
                fromArray(SPECIES, gradA, 2 * dw + d).add(gn.mul(h).mul(rg)).intoArray(gradA, 2 * dw + d);
                // The ParaGRU Jacobian, as ScalarFusedRows.gruJacobian (written out: see the class comment).
                FloatVector dn = n.mul(n).neg().add(1f).mul(ah).mul(rg.add(h.mul(rg).mul(rg.neg().add(1f)).mul(ar)));
                FloatVector jac = z.mul(z.neg().add(1f)).mul(az).mul(n.sub(h)).add(z.mul(dn)).add(z.neg().add(1f));
                jac.mul(l).intoArray(carry, d);
            }
        }
        ScalarFusedRows.INSTANCE.gruBackward(a, dw, prev, pOff, u, uOff, gradStates, gOff, carry, gradU, gradA,
                d0 + nv, d1);
    }

    /**
     * ParaLSTM gates of features {@code [d0, d0+n)} into {@code w}: f at 0, c̃ at n, o at 2n, tanh c' at
     * 3n, c' at 4n.
     */
    private static void lstmGates(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff,
                                  float[] w, int d0, int n) {
        for (int i = 0; i < n; i += L) {
            int d = d0 + i;
            FloatVector cPrev = fromArray(SPECIES, prev, pOff + d);
            FloatVector h = fromArray(SPECIES, prev, pOff + dw + d);
            fromArray(SPECIES, a, d).mul(h).add(fromArray(SPECIES, u, uOff + d))
                    .add(fromArray(SPECIES, c, d).mul(cPrev)).intoArray(w, i);
            fromArray(SPECIES, a, 2 * dw + d).mul(h).add(fromArray(SPECIES, u, uOff + 2 * dw + d)).intoArray(w, n + i);
        }
        sigmoid(w, 0, n);
        tanh(w, n, n);
        for (int i = 0; i < n; i += L) {
            int d = d0 + i;
            FloatVector cPrev = fromArray(SPECIES, prev, pOff + d);
            FloatVector h = fromArray(SPECIES, prev, pOff + dw + d);
            FloatVector fg = fromArray(SPECIES, w, i);
            FloatVector cn = fg.mul(cPrev).add(fg.neg().add(1f).mul(fromArray(SPECIES, w, n + i)));
            cn.intoArray(w, 3 * n + i);
            cn.intoArray(w, 4 * n + i);
            fromArray(SPECIES, a, dw + d).mul(h).add(fromArray(SPECIES, u, uOff + dw + d))
                    .add(fromArray(SPECIES, c, dw + d).mul(cn)).intoArray(w, 2 * n + i);
        }
        sigmoid(w, 2 * n, n);
        tanh(w, 3 * n, n);
    }

    @Override
    public void lstmForward(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff, float[] out,
                            int oOff, int d0, int d1) {
        int n = SPECIES.loopBound(d1 - d0);
        if (n > 0) {
            float[] w = scratch(5 * n);
            lstmGates(a, c, dw, prev, pOff, u, uOff, w, d0, n);
            for (int i = 0; i < n; i += L) {
                int d = d0 + i;
                fromArray(SPECIES, w, 4 * n + i).intoArray(out, oOff + d);
                fromArray(SPECIES, w, 2 * n + i).mul(fromArray(SPECIES, w, 3 * n + i)).intoArray(out, oOff + dw + d);
            }
        }
        ScalarFusedRows.INSTANCE.lstmForward(a, c, dw, prev, pOff, u, uOff, out, oOff, d0 + n, d1);
    }

    @Override
    public void lstmBackward(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff,
                             float[] gradStates, int gOff, float[] carryC, float[] carryH, float[] gradU,
                             float[] gradA, float[] gradC, int d0, int d1) {
        int n = SPECIES.loopBound(d1 - d0);
        if (n > 0) {
            float[] w = scratch(5 * n);
            lstmGates(a, c, dw, prev, pOff, u, uOff, w, d0, n);
            for (int i = 0; i < n; i += L) {
                int d = d0 + i;
                FloatVector cPrev = fromArray(SPECIES, prev, pOff + d);
                FloatVector h = fromArray(SPECIES, prev, pOff + dw + d);
                FloatVector af = fromArray(SPECIES, a, d);
                FloatVector ao = fromArray(SPECIES, a, dw + d);
                FloatVector ac = fromArray(SPECIES, a, 2 * dw + d);
                FloatVector cf = fromArray(SPECIES, c, d);
                FloatVector co = fromArray(SPECIES, c, dw + d);
                FloatVector fg = fromArray(SPECIES, w, i);
                FloatVector ct = fromArray(SPECIES, w, n + i);
                FloatVector o = fromArray(SPECIES, w, 2 * n + i);
                FloatVector tc = fromArray(SPECIES, w, 3 * n + i);
                FloatVector cn = fromArray(SPECIES, w, 4 * n + i);
                FloatVector oneMinusF = fg.neg().add(1f);
                FloatVector lc = fromArray(SPECIES, gradStates, gOff + d).add(fromArray(SPECIES, carryC, d));
                FloatVector lh = fromArray(SPECIES, gradStates, gOff + dw + d).add(fromArray(SPECIES, carryH, d));
                FloatVector oneMinusO = o.neg().add(1f);
                FloatVector oneMinusTc2 = tc.mul(tc).neg().add(1f);
                FloatVector oneMinusCt2 = ct.mul(ct).neg().add(1f);
                FloatVector cMinusCt = cPrev.sub(ct);
                FloatVector go = lh.mul(tc).mul(o).mul(oneMinusO);
                FloatVector gcn = lc.add(lh.mul(o).mul(oneMinusTc2)).add(go.mul(co));
                FloatVector gf = gcn.mul(cMinusCt).mul(fg).mul(oneMinusF);
                FloatVector gct = gcn.mul(oneMinusF).mul(oneMinusCt2);
                gf.intoArray(gradU, uOff + d);
                go.intoArray(gradU, uOff + dw + d);
                gct.intoArray(gradU, uOff + 2 * dw + d);
                fromArray(SPECIES, gradA, d).add(gf.mul(h)).intoArray(gradA, d);
                fromArray(SPECIES, gradA, dw + d).add(go.mul(h)).intoArray(gradA, dw + d);
                fromArray(SPECIES, gradA, 2 * dw + d).add(gct.mul(h)).intoArray(gradA, 2 * dw + d);
                fromArray(SPECIES, gradC, d).add(gf.mul(cPrev)).intoArray(gradC, d);
                fromArray(SPECIES, gradC, dw + d).add(go.mul(cn)).intoArray(gradC, dw + d);
                FloatVector fp = fg.mul(oneMinusF);
                FloatVector op = o.mul(oneMinusO);
                FloatVector dcc = fg.add(cMinusCt.mul(fp).mul(cf));
                FloatVector dch = cMinusCt.mul(fp).mul(af).add(oneMinusF.mul(oneMinusCt2).mul(ac));
                FloatVector through = o.mul(oneMinusTc2);
                FloatVector dhc = dcc.mul(op.mul(co).mul(tc).add(through));
                FloatVector dhh = op.mul(ao.add(co.mul(dch))).mul(tc).add(through.mul(dch));
                dcc.mul(lc).add(dhc.mul(lh)).intoArray(carryC, d);
                dch.mul(lc).add(dhh.mul(lh)).intoArray(carryH, d);
            }
        }
        ScalarFusedRows.INSTANCE.lstmBackward(a, c, dw, prev, pOff, u, uOff, gradStates, gOff, carryC, carryH, gradU,
                gradA, gradC, d0 + n, d1);
    }

    @Override
    public void gruNewton(float[] a, int dw, float[] prev, int pOff, float[] old, int oldOff, float[] u, int uOff,
                          float[] loc, float[] prod, float[] out, int oOff, float[] prodOut, float[] resMax,
                          float[] fMax, int d0, int d1) {
        int nv = SPECIES.loopBound(d1 - d0);
        if (nv > 0) {
            float[] w = scratch(3 * nv);
            gruGates(a, dw, prev, pOff, u, uOff, w, d0, nv);
            for (int i = 0; i < nv; i += L) {
                int d = d0 + i;
                FloatVector h = fromArray(SPECIES, prev, pOff + d);
                FloatVector z = fromArray(SPECIES, w, i);
                FloatVector rg = fromArray(SPECIES, w, nv + i);
                FloatVector n = fromArray(SPECIES, w, 2 * nv + i);
                FloatVector f = z.mul(n).add(z.neg().add(1f).mul(h));
                FloatVector az = fromArray(SPECIES, a, d);
                FloatVector ar = fromArray(SPECIES, a, dw + d);
                FloatVector ah = fromArray(SPECIES, a, 2 * dw + d);
                // The ParaGRU Jacobian, as ScalarFusedRows.gruJacobian (written out: see the class comment).
                FloatVector dn = n.mul(n).neg().add(1f).mul(ah).mul(rg.add(h.mul(rg).mul(rg.neg().add(1f)).mul(ar)));
                FloatVector jac = z.mul(z.neg().add(1f)).mul(az).mul(n.sub(h)).add(z.mul(dn)).add(z.neg().add(1f));
                fromArray(SPECIES, resMax, d).max(fromArray(SPECIES, old, oldOff + d).sub(f).abs())
                        .intoArray(resMax, d);
                fromArray(SPECIES, fMax, d).max(f.abs()).intoArray(fMax, d);
                FloatVector l = jac.fma(fromArray(SPECIES, loc, d), f.sub(jac.mul(h)));
                l.intoArray(loc, d);
                l.intoArray(out, oOff + d);
                if (prod != null) {
                    FloatVector q = jac.mul(fromArray(SPECIES, prod, d));
                    q.intoArray(prod, d);
                    q.intoArray(prodOut, oOff + d);
                }
            }
        }
        ScalarFusedRows.INSTANCE.gruNewton(a, dw, prev, pOff, old, oldOff, u, uOff, loc, prod, out, oOff, prodOut,
                resMax, fMax, d0 + nv, d1);
    }

    @Override
    public void gruNewtonSeries(float az, float ar, float ah, float hPrev, float[] old, int base, float[] gates,
                                int stride, int t0, int t1, boolean withProducts, float[] out, float[] prodOut,
                                float[] run) {
        if (t0 >= t1) {
            return;
        }
        // The first step takes its previous state from hPrev; from then on every old state read is the
        // chunk's own, so the vector loop never looks before t0.
        ScalarFusedRows.INSTANCE.gruNewtonSeries(az, ar, ah, hPrev, old, base, gates, stride, t0, t0 + 1, withProducts,
                out, prodOut, run);
        int t = t0 + 1;
        float[] w = scratch(SERIES_SCRATCH);
        java.util.Arrays.fill(w, SERIES_MAX, SERIES_MAX + 2 * L, 0f);
        while (t1 - t >= L) {
            int n = Math.min(BLOCK, SPECIES.loopBound(t1 - t));
            // The old iterate at t−1 … t+n−1, so that every vector load below is from the scratch row.
            if (old == null) {
                java.util.Arrays.fill(w, OLD, OLD + n + 1, 0f);
            } else {
                System.arraycopy(old, base + t - 1, w, OLD, n + 1);
            }
            seriesGates(az, ar, ah, gates, stride, base + t, n, w);
            seriesSolve(az, ar, ah, n, w, run, withProducts, out, prodOut, base + t);
            t += n;
        }
        for (int i = 0; i < L; i++) {
            run[2] = Math.max(run[2], w[SERIES_MAX + i]);
            run[3] = Math.max(run[3], w[SERIES_MAX + L + i]);
        }
        if (t < t1) {
            ScalarFusedRows.INSTANCE.gruNewtonSeries(az, ar, ah, old == null ? 0f : old[base + t - 1], old, base, gates,
                    stride, t, t1, withProducts, out, prodOut, run);
        }
    }

    @Override
    public void gruResidualSeries(float az, float ar, float ah, float hPrev, float[] old, int base, float[] gates,
                                  int stride, int t0, int t1, float[] run) {
        if (t0 >= t1) {
            return;
        }
        ScalarFusedRows.INSTANCE.gruResidualSeries(az, ar, ah, hPrev, old, base, gates, stride, t0, t0 + 1, run);
        int t = t0 + 1;
        float[] w = scratch(SERIES_SCRATCH);
        java.util.Arrays.fill(w, SERIES_MAX, SERIES_MAX + 2 * L, 0f);
        while (t1 - t >= L) {
            int n = Math.min(BLOCK, SPECIES.loopBound(t1 - t));
            System.arraycopy(old, base + t - 1, w, OLD, n + 1);
            seriesGates(az, ar, ah, gates, stride, base + t, n, w);
            seriesResidual(n, w);
            t += n;
        }
        for (int i = 0; i < L; i++) {
            run[2] = Math.max(run[2], w[SERIES_MAX + i]);
            run[3] = Math.max(run[3], w[SERIES_MAX + L + i]);
        }
        if (t < t1) {
            ScalarFusedRows.INSTANCE.gruResidualSeries(az, ar, ah, old[base + t - 1], old, base, gates, stride, t,
                    t1, run);
        }
    }

    /** The residual half of {@link #seriesSolve}, with the same operations for {@code f}. */
    private static void seriesResidual(int n, float[] w) {
        for (int i = 0; i < n; i += L) {
            FloatVector h = fromArray(SPECIES, w, OLD + i);
            FloatVector z = fromArray(SPECIES, w, i);
            FloatVector cand = fromArray(SPECIES, w, 2 * BLOCK + i);
            FloatVector oneMinusZ = z.neg().add(1f);
            FloatVector f = z.mul(cand).add(oneMinusZ.mul(h));
            fromArray(SPECIES, w, SERIES_MAX).max(fromArray(SPECIES, w, OLD + 1 + i).sub(f).abs())
                    .intoArray(w, SERIES_MAX);
            fromArray(SPECIES, w, SERIES_MAX + L).max(f.abs()).intoArray(w, SERIES_MAX + L);
        }
    }

    /**
     * Gates of {@code n} consecutive steps of a series (old states at {@code w[3B …]}, {@code B} the
     * block): independent of each other, so vectorised along time; z, r, candidate at {@code 0, B, 2B}.
     */
    private static void seriesGates(float az, float ar, float ah, float[] gates, int stride, int g0, int n, float[] w) {
        for (int i = 0; i < n; i += L) {
            FloatVector h = fromArray(SPECIES, w, OLD + i);
            h.mul(az).add(fromArray(SPECIES, gates, g0 + i)).intoArray(w, i);
            h.mul(ar).add(fromArray(SPECIES, gates, stride + g0 + i)).intoArray(w, BLOCK + i);
        }
        sigmoid(w, 0, n);
        sigmoid(w, BLOCK, n);
        for (int i = 0; i < n; i += L) {
            FloatVector h = fromArray(SPECIES, w, OLD + i);
            h.mul(ah).mul(fromArray(SPECIES, w, BLOCK + i)).add(fromArray(SPECIES, gates, 2 * stride + g0 + i))
                    .intoArray(w, 2 * BLOCK + i);
        }
        tanh(w, 2 * BLOCK, n);
    }

    /**
     * One block of a chunk's Newton step from its gates ({@link #seriesGates}): {@code f} and {@code J} of
     * each step, the lane-wise maxima of {@code |old − f|} and {@code |f|} (kept at {@link #SERIES_MAX}),
     * and the affine chain {@code loc ← J·loc + (f − J·h)} with the running product of {@code J}
     * ({@code run[0]}, {@code run[1]}), all in registers: a vector of steps at a time, an in-register
     * Hillis–Steele scan composes the vector's maps ({@code (J₂, b₂)∘(J₁, b₁) = (J₂J₁, J₂b₁ + b₂)},
     * log₂ L rounds of lane shifts), then one FMA with the broadcast carry gives all its states. The serial
     * dependency is one FMA and one lane extract per L steps instead of L dependent FMAs; it rounds
     * differently from the scalar chain (a tree instead of a left fold): equal to float round-off, not bit
     * for bit.
     *
     * <p>One loop on purpose: {@code J} and the chain's right-hand side never go through the scratch row.
     * Together with the class's no-helper rule this took a single-thread pass from 7.3 to 4.6 ns per step
     * (T = 65 536; the old split form boxed its last vector operations, 1.6 MB of garbage per pass).
     */
    private static void seriesSolve(float az, float ar, float ah, int n, float[] w, float[] run, boolean withProducts,
                                    float[] out, float[] prodOut, int o) {
        FloatVector vaz = FloatVector.broadcast(SPECIES, az);
        FloatVector var = FloatVector.broadcast(SPECIES, ar);
        FloatVector vah = FloatVector.broadcast(SPECIES, ah);
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector zero = FloatVector.zero(SPECIES);
        FloatVector resMax = fromArray(SPECIES, w, SERIES_MAX);
        FloatVector fMax = fromArray(SPECIES, w, SERIES_MAX + L);
        float loc = run[0];
        float prod = run[1];
        for (int i = 0; i < n; i += L) {
            FloatVector h = fromArray(SPECIES, w, OLD + i);
            FloatVector z = fromArray(SPECIES, w, i);
            FloatVector rg = fromArray(SPECIES, w, BLOCK + i);
            FloatVector cand = fromArray(SPECIES, w, 2 * BLOCK + i);
            FloatVector oneMinusZ = z.neg().add(1f);
            FloatVector f = z.mul(cand).add(oneMinusZ.mul(h));
            // The ParaGRU Jacobian, as ScalarFusedRows.gruJacobian (written out: see the class comment).
            FloatVector dn = cand.mul(cand).neg().add(1f).mul(vah)
                    .mul(rg.add(h.mul(rg).mul(rg.neg().add(1f)).mul(var)));
            FloatVector j = z.mul(z.neg().add(1f)).mul(vaz).mul(cand.sub(h)).add(z.mul(dn)).add(z.neg().add(1f));
            resMax = resMax.max(fromArray(SPECIES, w, OLD + 1 + i).sub(f).abs());
            fMax = fMax.max(f.abs());
            FloatVector b = f.sub(j.mul(h));
            // Levels as constants (C2 keeps shuffles and masks in registers only when they are constants).
            if (L > 1) {
                b = j.fma(b.rearrange(SHIFT1).blend(zero, HEAD1), b);
                j = j.mul(j.rearrange(SHIFT1).blend(one, HEAD1));
            }
            if (L > 2) {
                b = j.fma(b.rearrange(SHIFT2).blend(zero, HEAD2), b);
                j = j.mul(j.rearrange(SHIFT2).blend(one, HEAD2));
            }
            if (L > 4) {
                b = j.fma(b.rearrange(SHIFT4).blend(zero, HEAD4), b);
                j = j.mul(j.rearrange(SHIFT4).blend(one, HEAD4));
            }
            if (L > 8) {
                b = j.fma(b.rearrange(SHIFT8).blend(zero, HEAD8), b);
                j = j.mul(j.rearrange(SHIFT8).blend(one, HEAD8));
            }
            FloatVector state = j.fma(FloatVector.broadcast(SPECIES, loc), b);
            state.intoArray(out, o + i);
            loc = state.lane(L - 1);
            if (withProducts) {
                FloatVector q = j.mul(prod);
                q.intoArray(prodOut, o + i);
                prod = q.lane(L - 1);
            }
        }
        resMax.intoArray(w, SERIES_MAX);
        fMax.intoArray(w, SERIES_MAX + L);
        run[0] = loc;
        run[1] = prod;
    }

    @Override
    public void gruAdjointLocal(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates,
                                int gOff, float[] carry, float[] qRun, float[] jac, float[] gradU, float[] loc,
                                float[] q, int d0, int d1) {
        int nv = SPECIES.loopBound(d1 - d0);
        if (nv > 0) {
            float[] w = scratch(3 * nv);
            gruGates(a, dw, prev, pOff, u, uOff, w, d0, nv);
            for (int i = 0; i < nv; i += L) {
                int d = d0 + i;
                FloatVector h = fromArray(SPECIES, prev, pOff + d);
                FloatVector z = fromArray(SPECIES, w, i);
                FloatVector rg = fromArray(SPECIES, w, nv + i);
                FloatVector n = fromArray(SPECIES, w, 2 * nv + i);
                z.intoArray(gradU, uOff + d);
                rg.intoArray(gradU, uOff + dw + d);
                n.intoArray(gradU, uOff + 2 * dw + d);
                FloatVector az = fromArray(SPECIES, a, d);
                FloatVector ar = fromArray(SPECIES, a, dw + d);
                FloatVector ah = fromArray(SPECIES, a, 2 * dw + d);
                // The ParaGRU Jacobian, as ScalarFusedRows.gruJacobian (written out: see the class comment).
                FloatVector dn = n.mul(n).neg().add(1f).mul(ah).mul(rg.add(h.mul(rg).mul(rg.neg().add(1f)).mul(ar)));
                FloatVector j = z.mul(z.neg().add(1f)).mul(az).mul(n.sub(h)).add(z.mul(dn)).add(z.neg().add(1f));
                FloatVector l = fromArray(SPECIES, gradStates, gOff + d).add(fromArray(SPECIES, carry, d));
                FloatVector qr = fromArray(SPECIES, qRun, d);
                l.intoArray(loc, gOff + d);
                qr.intoArray(q, gOff + d);
                j.mul(l).intoArray(carry, d);
                j.mul(qr).intoArray(qRun, d);
                j.intoArray(jac, d);
            }
        }
        ScalarFusedRows.INSTANCE.gruAdjointLocal(a, dw, prev, pOff, u, uOff, gradStates, gOff, carry, qRun, jac, gradU,
                loc, q, d0 + nv, d1);
    }

    @Override
    public void gruAdjointFinish(float[] a, int dw, float[] prev, int pOff, float[] gradU, int uOff, float[] loc,
                                 float[] q, int gOff, float[] carryIn, float[] gradA, int d0, int d1) {
        int end = d0 + SPECIES.loopBound(d1 - d0);
        for (int d = d0; d < end; d += L) {
            FloatVector h = fromArray(SPECIES, prev, pOff + d);
            FloatVector ah = fromArray(SPECIES, a, 2 * dw + d);
            FloatVector z = fromArray(SPECIES, gradU, uOff + d);
            FloatVector rg = fromArray(SPECIES, gradU, uOff + dw + d);
            FloatVector n = fromArray(SPECIES, gradU, uOff + 2 * dw + d);
            FloatVector l = fromArray(SPECIES, q, gOff + d)
                    .fma(fromArray(SPECIES, carryIn, d), fromArray(SPECIES, loc, gOff + d));
            FloatVector gz = l.mul(n.sub(h)).mul(z).mul(z.neg().add(1f));
            FloatVector gn = l.mul(z).mul(n.mul(n).neg().add(1f));
            FloatVector gr = gn.mul(ah).mul(h).mul(rg).mul(rg.neg().add(1f));
            gz.intoArray(gradU, uOff + d);
            gr.intoArray(gradU, uOff + dw + d);
            gn.intoArray(gradU, uOff + 2 * dw + d);
            fromArray(SPECIES, gradA, d).add(gz.mul(h)).intoArray(gradA, d);
            fromArray(SPECIES, gradA, dw + d).add(gr.mul(h)).intoArray(gradA, dw + d);
            fromArray(SPECIES, gradA, 2 * dw + d).add(gn.mul(h).mul(rg)).intoArray(gradA, 2 * dw + d);
        }
        ScalarFusedRows.INSTANCE.gruAdjointFinish(a, dw, prev, pOff, gradU, uOff, loc, q, gOff, carryIn, gradA, end,
                d1);
    }
}
