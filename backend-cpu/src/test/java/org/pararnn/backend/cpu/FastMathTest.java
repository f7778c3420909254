package org.pararnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link FastMath} against double-precision {@code Math} over a dense sweep: relative error within a
 * few float ulps (2⁻²³ ≈ 1.19e-7) everywhere it matters for the cells.
 */
class FastMathTest {
    private static final double ULP = Math.ulp(1f);

    private static double worst(java.util.function.DoubleUnaryOperator ref, java.util.function.DoubleUnaryOperator f,
                                float lo, float hi, int n) {
        double worst = 0;
        for (int i = 0; i <= n; i++) {
            float x = (float) (lo + (hi - lo) * (double) i / n);
            double want = ref.applyAsDouble(x);
            double got = f.applyAsDouble(x);
            if (want == 0) {
                assertEquals(0, got, 1e-38);
                continue;
            }
            worst = Math.max(worst, Math.abs(got - want) / Math.abs(want));
        }
        return worst / ULP;
    }

    @Test
    void accurateToAFewUlps() {
        double e = worst(Math::exp, x -> FastMath.exp((float) x), -80f, 80f, 2_000_003);
        double m = worst(Math::expm1, x -> FastMath.expm1((float) x), -20f, 20f, 2_000_003);
        double s = worst(x -> 1 / (1 + Math.exp(-x)), x -> FastMath.sigmoid((float) x), -30f, 30f, 2_000_003);
        double t = worst(Math::tanh, x -> FastMath.tanh((float) x), -12f, 12f, 2_000_003);
        double tSmall = worst(Math::tanh, x -> FastMath.tanh((float) x), -1e-3f, 1e-3f, 200_003);
        System.out.printf("worst relative error in float ulps: exp %.2f, expm1 %.2f, sigmoid %.2f, tanh %.2f, tanh near 0 %.2f%n",
                e, m, s, t, tSmall);
        assertTrue(e <= 2 && m <= 2 && s <= 2 && t <= 2 && tSmall <= 2,
                "exp " + e + ", expm1 " + m + ", sigmoid " + s + ", tanh " + t + ", tanh near 0 " + tSmall);
    }

    @Test
    void extremesStayFiniteAndNaNPropagates() {
        assertEquals(1f, FastMath.sigmoid(1e6f));
        assertTrue(FastMath.sigmoid(-1e6f) >= 0f && FastMath.sigmoid(-1e6f) < 1e-37f);
        assertEquals(1f, FastMath.tanh(1e6f));
        assertEquals(-1f, FastMath.tanh(-1e6f));
        assertEquals(0f, FastMath.tanh(0f));
        assertTrue(Float.isNaN(FastMath.tanh(Float.NaN)) && Float.isNaN(FastMath.sigmoid(Float.NaN)));
        assertTrue(Float.isFinite(FastMath.exp(Float.POSITIVE_INFINITY)));
    }
}
