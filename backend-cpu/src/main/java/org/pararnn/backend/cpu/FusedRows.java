package org.pararnn.backend.cpu;

/**
 * One time step of the fused ParaGRU / ParaLSTM kernels over the contiguous features {@code [d0, d1)}
 * of one batch element. Two implementations, bit-identical lane for lane: {@link ScalarFusedRows} (the
 * fallback and the tails) and {@code VectorFusedRows} (Vector API). Offsets point at the row start of
 * the step: {@code pOff} the previous state, {@code uOff} the projected input ({@code 3·D} floats),
 * {@code oOff}/{@code gOff} the step's state / state gradient. Carries and other running arrays are indexed by feature {@code d} (length ≥ {@code d1}).
 */
interface FusedRows {

    /** {@code h' = z n + (1−z) h} with the ParaGRU gates. */
    void gruForward(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] out, int oOff,
                    int d0, int d1);

    /**
     * Adjoint of one ParaGRU step: {@code l = gradStates + carry}; writes the three {@code gradU} gates,
     * adds into {@code gradA}, and leaves {@code Jᵀ l} in {@code carry}.
     */
    void gruBackward(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates, int gOff,
                     float[] carry, float[] gradU, float[] gradA, int d0, int d1);

    /** ParaLSTM step, state {@code [c; h]} of width {@code 2·D}. */
    void lstmForward(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff, float[] out, int oOff,
                     int d0, int d1);

    /** Adjoint of one ParaLSTM step; carries {@code carryC}, {@code carryH} in and {@code Jᵀλ} out. */
    void lstmBackward(float[] a, float[] c, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates,
                      int gOff, float[] carryC, float[] carryH, float[] gradU, float[] gradA, float[] gradC,
                      int d0, int d1);

    /**
     * One fused Newton step of ParaGRU at one time step for features {@code [d0, d1)}. From the old
     * iterate's previous state ({@code prev} at {@code pOff}: the initial state at {@code t = 0}, a zero
     * row for the zero iterate) evaluate {@code f} and the diagonal {@code J}; fold {@code |old − f|} and
     * {@code |f|} into the running maxima {@code resMax}, {@code fMax}; advance the chunk-local affine
     * scan {@code loc ← J·loc + (f − J·prev)} and write it to {@code out}; when {@code prod} is not null
     * (every chunk but the first) also {@code prod ← J·prod}, written to {@code prodOut}.
     */
    void gruNewton(float[] a, int dw, float[] prev, int pOff, float[] old, int oldOff, float[] u, int uOff,
                   float[] loc, float[] prod, float[] out, int oOff, float[] prodOut, float[] resMax, float[] fMax,
                   int d0, int d1);

    /**
     * The same Newton step for a single-feature series ({@code D = 1}) over the steps {@code [t0, t1)} of
     * one chunk, vectorised along time where the Vector API is present (the steps' evaluations are
     * independent; only the affine scan is a chain, and the vector form scans each vector of steps in
     * registers, so its rounding differs from the scalar left fold within float round-off). {@code old} is the old iterate's series (index
     * {@code base + t}) or null for the zero iterate, read at {@code t0 … t1 − 1} only: the state before
     * {@code t0} is {@code hPrev} (the initial state for the first chunk, the carried-in state for a later
     * one, so a chunk never reads another chunk's part of {@code old}); {@code gates} holds the three gate inputs planar,
     * at {@code base + t}, {@code stride + base + t} and {@code 2·stride + base + t}. {@code run} carries
     * {@code loc, prod, resMax, fMax} in and out.
     */
    void gruNewtonSeries(float az, float ar, float ah, float hPrev, float[] old, int base, float[] gates, int stride,
                         int t0, int t1, boolean withProducts, float[] out, float[] prodOut, float[] run);

    /**
     * Only the residual part of {@link #gruNewtonSeries}: the maxima of {@code |old − f|} and {@code |f|}
     * over the steps {@code [t0, t1)} into {@code run[2]}, {@code run[3]}, computed with the same
     * operations (so the same bits) but without the Jacobian, the scan or any store. {@code old} is
     * never null here.
     */
    void gruResidualSeries(float az, float ar, float ah, float hPrev, float[] old, int base, float[] gates, int stride,
                           int t0, int t1, float[] run);

    /**
     * First half of the chunked ParaGRU adjoint, one step in reverse: the gates {@code z, r, n} go into
     * the step's three {@code gradU} slots (the second half replaces them by the gradients), the local
     * adjoint {@code l = gradStates + carry} to {@code loc}, the running product of later Jacobians
     * {@code qRun} to {@code q}; then {@code carry ← J·l}, {@code qRun ← J·qRun}, and {@code J} is left
     * in {@code jac}.
     */
    void gruAdjointLocal(float[] a, int dw, float[] prev, int pOff, float[] u, int uOff, float[] gradStates, int gOff,
                         float[] carry, float[] qRun, float[] jac, float[] gradU, float[] loc, float[] q,
                         int d0, int d1);

    /**
     * Second half: {@code l = loc + q·carryIn} (the chunk's true adjoint), then the gate gradients into
     * {@code gradU} (from the gates stored there) and the recurrent-weight gradients into {@code gradA}.
     */
    void gruAdjointFinish(float[] a, int dw, float[] prev, int pOff, float[] gradU, int uOff, float[] loc, float[] q,
                          int gOff, float[] carryIn, float[] gradA, int d0, int d1);
}
