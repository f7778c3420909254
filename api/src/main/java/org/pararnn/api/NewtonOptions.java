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
 */
public record NewtonOptions(int maxIterations, float tolerance, float damping, int growthPatience,
                            OnFailure onFailure, boolean quasi) {

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
    }

    public static NewtonOptions defaults() {
        return new NewtonOptions(0, 1e-6f, 1f, 3, OnFailure.SEQUENTIAL_FALLBACK, false);
    }

    public NewtonOptions withMaxIterations(int n) {
        return new NewtonOptions(n, tolerance, damping, growthPatience, onFailure, quasi);
    }

    public NewtonOptions withTolerance(float tol) {
        return new NewtonOptions(maxIterations, tol, damping, growthPatience, onFailure, quasi);
    }

    public NewtonOptions withDamping(float d) {
        return new NewtonOptions(maxIterations, tolerance, d, growthPatience, onFailure, quasi);
    }

    public NewtonOptions withGrowthPatience(int p) {
        return new NewtonOptions(maxIterations, tolerance, damping, p, onFailure, quasi);
    }

    public NewtonOptions withOnFailure(OnFailure f) {
        return new NewtonOptions(maxIterations, tolerance, damping, growthPatience, f, quasi);
    }

    public NewtonOptions withQuasi(boolean q) {
        return new NewtonOptions(maxIterations, tolerance, damping, growthPatience, onFailure, q);
    }

    /** The iteration budget for a sequence of {@code steps}. */
    public int iterationBudget(int steps) {
        return maxIterations == 0 ? Math.min(steps, 32) : maxIterations;
    }
}
