package org.pararnn.api.spi;

import org.pararnn.api.Checks;
import org.pararnn.api.JacobianStructure;

/**
 * One linear recurrence over a window {@code [from, to)} of {@code [B][T][·]} tensors.
 *
 * <p>Forward: {@code out_t = A_t · out_{t−1} + b_t} for {@code t ∈ [from, to)}, where the state
 * before {@code from} is {@code init [B][S]} (zeros when {@code init} is null).
 *
 * <p>Reverse (the adjoint's transposed form, same coefficient arrays):
 * {@code out_t = b_t + A_{t+1}ᵀ · out_{t+1}} for {@code t ∈ [from, to−1)}, and
 * {@code out_{to−1} = b_{to−1} + A_{to}ᵀ · init} — the carry {@code init} is {@code λ_{to}}, which
 * exists only when {@code to < T}; for {@code to == T} it must be null.
 *
 * <p>{@code a} is {@code [B][T][coefficientsPerStep(S)]}, {@code b} and {@code out} are
 * {@code [B][T][S]}; {@code out} may be the same array as {@code b} (solved in place). Values outside
 * the window are neither read (except the coefficient {@code A_to} of a reverse carry) nor written.
 */
public record ScanProblem(JacobianStructure structure, int batch, int steps, int width, int from, int to,
                          float[] a, float[] b, float[] init, float[] out) {

    public ScanProblem {
        if (structure == null) {
            throw new IllegalArgumentException("structure is null");
        }
        Checks.positive("batch", batch);
        Checks.positive("steps", steps);
        Checks.positive("width", width);
        structure.checkStateWidth(width);
        if (from < 0 || to > steps || from >= to) {
            throw new IllegalArgumentException("window [" + from + ", " + to + ") is empty or outside [0, " + steps + ")");
        }
        int coeffs = structure.coefficientsPerStep(width);
        String shapeA = "[" + batch + "][" + steps + "][" + coeffs + "] (" + structure.describe() + ")";
        String shapeB = "[" + batch + "][" + steps + "][" + width + "]";
        Checks.length("a", a, Checks.elements("a", batch, steps, coeffs), shapeA);
        Checks.length("b", b, Checks.elements("b", batch, steps, width), shapeB);
        Checks.length("out", out, Checks.elements("out", batch, steps, width), shapeB);
        if (init != null) {
            Checks.length("init", init, batch * width, "[" + batch + "][" + width + "]");
        }
    }

    /** The whole sequence, starting from {@code init} (or zeros). */
    public static ScanProblem whole(JacobianStructure s, int batch, int steps, int width,
                                    float[] a, float[] b, float[] init, float[] out) {
        return new ScanProblem(s, batch, steps, width, 0, steps, a, b, init, out);
    }

    public int coefficientsPerStep() {
        return structure.coefficientsPerStep(width);
    }

    /** Rejects a reverse carry where there is no coefficient {@code A_to} to carry it with. */
    public void checkReverseCarry() {
        if (init != null && to == steps) {
            throw new IllegalArgumentException("a reverse scan ending at the last step (to == T = " + steps
                    + ") has no A_T to carry 'init' with; pass init = null or add the carry to b");
        }
    }
}
