package org.pararnn.api;

/**
 * Knobs of Newton's method over the sequence.
 *
 * @param maxIterations   most linear solves; {@code 0} means {@code min(T, 32)}. {@code T} is always
 *                        enough for an undamped solve, because every iteration makes at least one
 *                        more leading state exact.
 * @param tolerance       convergence when {@code ‖h − f(shift h)‖_∞ ≤ tolerance · max(1, ‖f‖_∞)}
 * @param damping         step fraction in {@code (0, 1]}: {@code h ← h + damping·(h_newton − h)}; below 1
 *                        it trades speed for robustness and loses the {@code T}-iteration bound
 * @param growthPatience  the solve is declared diverging after this many consecutive residual increases
 * @param onFailure       what to do when Newton diverges or runs out of iterations
 * @param quasi           use only {@code diag(J)} ("quasi-DEER"): a diagonal scan whatever the cell's
 *                        structure, cheaper per iteration, usually more iterations; the frontier still
 *                        bounds it by {@code T}. Backward passes always use the exact Jacobian.
 * @param elkLambda       {@code 0}: plain Newton (DEER). Above 0: ELK, a Levenberg–Marquardt step computed as a
 *                        Kalman smoother over the linearised recurrence (docs/design.md §1, "ELK"), from this
 *                        trust-region weight {@code λ} (larger = shorter steps): ÷10 after each kept step, ×10 after
 *                        a step that overflowed (undone). The first unconverged state is kept exact, so the
 *                        {@code T}-iteration bound holds; a growing residual is not divergence for ELK. With
 *                        {@code quasi} it is quasi-ELK (diagonal: one scalar smoother per feature). Excludes
 *                        {@code damping < 1} (the trust region is ELK's damping) and fused kernels (they run DEER).
 */
public record NewtonOptions(int maxIterations, float tolerance, float damping, int growthPatience,
                            OnFailure onFailure, boolean quasi, float elkLambda) {

    /** What a Newton solve that did not converge does; none of them returns garbage silently. */
    public enum OnFailure {
        /** Keep the converged prefix, solve the rest sequentially, and say so in the report (default). */
        SEQUENTIAL_FALLBACK,
        /** Return the last iterate with {@code converged = false} in the report. */
        REPORT,
        /** Throw {@link SolveFailedException} carrying the report. */
        THROW
    }

    public NewtonOptions {
        if (maxIterations < 0) {
            throw new IllegalArgumentException("maxIterations must be >= 0 (0 = automatic), got " + maxIterations);
        }
        if (!(tolerance > 0f) || !Float.isFinite(tolerance)) {
            throw new IllegalArgumentException("tolerance must be a positive finite number, got " + tolerance);
        }
        if (!(damping > 0f && damping <= 1f)) {
            throw new IllegalArgumentException("damping must be in (0, 1], got " + damping);
        }
        if (growthPatience < 1) {
            throw new IllegalArgumentException("growthPatience must be >= 1, got " + growthPatience);
        }
        if (onFailure == null) {
            throw new IllegalArgumentException("onFailure must not be null");
        }
        if (!(elkLambda >= 0f) || !Float.isFinite(elkLambda)) {
            throw new IllegalArgumentException("elkLambda must be a finite number >= 0 (0 = plain Newton), got " + elkLambda);
        }
        if (elkLambda > 0f && damping != 1f) {
            throw new IllegalArgumentException("ELK (elkLambda " + elkLambda + ") and damping " + damping
                    + " exclude each other: ELK's trust region is its damping; keep damping 1");
        }
    }

    /** The same knobs with an older signature: plain Newton or quasi-Newton, no ELK. */
    public NewtonOptions(int maxIterations, float tolerance, float damping, int growthPatience, OnFailure onFailure,
                         boolean quasi) {
        this(maxIterations, tolerance, damping, growthPatience, onFailure, quasi, 0f);
    }

    public static NewtonOptions defaults() {
        return new NewtonOptions(0, 1e-6f, 1f, 3, OnFailure.SEQUENTIAL_FALLBACK, false);
    }

    public NewtonOptions withMaxIterations(int n) {
        return new NewtonOptions(n, tolerance, damping, growthPatience, onFailure, quasi, elkLambda);
    }

    public NewtonOptions withTolerance(float tol) {
        return new NewtonOptions(maxIterations, tol, damping, growthPatience, onFailure, quasi, elkLambda);
    }

    public NewtonOptions withDamping(float d) {
        return new NewtonOptions(maxIterations, tolerance, d, growthPatience, onFailure, quasi, elkLambda);
    }

    public NewtonOptions withGrowthPatience(int p) {
        return new NewtonOptions(maxIterations, tolerance, damping, p, onFailure, quasi, elkLambda);
    }

    public NewtonOptions withOnFailure(OnFailure f) {
        return new NewtonOptions(maxIterations, tolerance, damping, growthPatience, f, quasi, elkLambda);
    }

    public NewtonOptions withQuasi(boolean q) {
        return new NewtonOptions(maxIterations, tolerance, damping, growthPatience, onFailure, q, elkLambda);
    }

    /**
     * ELK from trust-region weight {@code lambda > 0} ({@code 1} is a fair start: it adapts), or plain Newton
     * with {@code 0}.
     */
    public NewtonOptions withElk(float lambda) {
        return new NewtonOptions(maxIterations, tolerance, damping, growthPatience, onFailure, quasi, lambda);
    }

    /** Whether Newton steps are ELK's trust-region steps. */
    public boolean elk() {
        return elkLambda > 0f;
    }

    /** Short name of the method: {@code DEER}, {@code quasi-DEER}, {@code ELK} or {@code quasi-ELK}. */
    public String method() {
        return (quasi ? "quasi-" : "") + (elk() ? "ELK" : "DEER");
    }

    /** The iteration budget for a sequence of {@code steps}. */
    public int iterationBudget(int steps) {
        return maxIterations == 0 ? Math.min(steps, 32) : maxIterations;
    }
}
