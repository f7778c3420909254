package org.pararnn.conformance;

/**
 * Every bound the suite checks against, in one place (docs/design.md §4: {@code c · ε_float32 · T}-style
 * relative norms, stated, never loosened to pass).
 */
public final class Tolerances {
    /** float32 unit round-off. */
    public static final double EPS = Math.ulp(1.0f);

    /**
     * Linear scans against float64: {@code 16 ε (1 + log₂ T)} relative L2. With contractive coefficients
     * a sequential scan's error stays at a few ε; chunked and tree scans add one composition level per
     * doubling of T, hence the logarithm. (T = 4096: 2.5e-5; T = 65 536: 3.2e-5.)
     */
    public static double scan(int steps) {
        return 16 * EPS * (1 + Math.log(steps) / Math.log(2));
    }

    /**
     * Linear scans whose coefficients stay within 3 % of ±1 (every chunk boundary then carries real
     * weight): the form of {@link #scan} with the ~1/(1−|a|) ≈ 33 steps a value persists in place of T,
     * {@code 16 ε (1 + log₂ 33)} ≈ 5.8e-6 (measured 3.1–3.7e-7 on the reference, cpu and opencl scans;
     * a carry off by 0.1 % gives ~8e-4).
     */
    public static final double PERSISTENT_SCAN = 16 * EPS * (1 + Math.log(1 / 0.03) / Math.log(2));

    /** Cells, every mode, outputs and every gradient against float64, for T ≤ 4096 (issue 3's bound). */
    public static final double CELL = 1e-5;

    /** Cells at T = 65 536, where float32 sums of 65 536 gradient terms need more room. */
    public static final double CELL_LONG = 1e-4;

    /**
     * A product's element against float64, componentwise (the classical bound for a sum of {@code k}
     * products in any order): {@code |c − c₆₄| ≤ (k + 2)·ε·(|α|·Σ|a·b| + |β·c|)}.
     */
    public static double matmul(int k) {
        return (k + 2) * EPS;
    }

    /**
     * RMSNorm's output against float64, componentwise relative: the sum of {@code width} squares, a square
     * root, a reciprocal and two products, {@code (width + 8)·ε}.
     */
    public static double rmsNorm(int width) {
        return (width + 8) * EPS;
    }

    /**
     * Gradients that sum {@code n} terms with cancellation (RMSNorm's dx over a row, its gain over the rows),
     * normwise relative L2 against float64: {@code 4·(n + 8)·ε}.
     */
    public static double rowSum(int n) {
        return 4 * (n + 8) * EPS;
    }

    /**
     * Cross-entropy's sums against float64 (the ops compute each row's log-sum-exp and the sums in double,
     * as their contract says), relative to the sum of the terms' magnitudes: {@code 1e-12}, room for any
     * order of a few thousand double additions; a float32 log-sum-exp misses it by four orders.
     */
    public static final double LOSS_SUMS = 1e-12;

    /**
     * Cross-entropy's gradient against float64, per element: one float32 rounding of a value formed in double,
     * {@code ε·|g| + 1e-12·(|p·factor| + [j = t]/counted)} (the second term for the cancellation at the target).
     */
    public static final double LOSS_GRADIENT_DOUBLE = 1e-12;

    /** Which cell bound applies to {@code steps}. */
    public static double cell(int steps) {
        return steps > 4096 ? CELL_LONG : CELL;
    }

    private Tolerances() {
    }
}
