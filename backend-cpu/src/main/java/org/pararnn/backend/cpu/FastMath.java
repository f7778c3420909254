package org.pararnn.backend.cpu;

/**
 * Float {@code exp}-family functions for the fused kernels, built from IEEE add, multiply, fused
 * multiply-add, division and exact bit manipulation only. Unlike {@code Math.exp}/{@code Math.tanh}
 * (double precision, and for {@code tanh} a slow software routine) they cost a handful of
 * instructions, and every operation is exactly specified, so the result is the same in the
 * interpreter, C1, C2 and any SIMD form of the same sequence: the determinism that the conformance
 * suite's concurrency check demands.
 *
 * <p>Method: {@code x = k·ln2 + r} with {@code k = round(x·log₂e)} (by the 1.5·2²³ trick, inside one
 * FMA) and {@code |r| ≤ ln2/2} split against a two-part {@code ln2}; {@code e^r − 1} by its degree-7
 * Taylor polynomial in Horner form (truncation below 2e-9 relative on that interval); scaling by
 * {@code 2^k} through the exponent bits. Accuracy (tested against double precision over a dense sweep):
 * a few units in the last place, and {@code tanh} keeps its relative accuracy near zero.
 */
final class FastMath {
    static final float LOG2E = 1.44269504088896341f;
    static final float LN2_HI = 0.693145751953125f;   // 11 significant bits: k·LN2_HI is exact
    static final float LN2_LO = 1.42860682030941723212e-6f;
    static final float ROUND = 12582912f;             // 1.5·2²³: adding it rounds to an integer
    static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    private FastMath() {
    }

    /** {@code e^r − 1} for {@code |r| ≤ ln2/2}. */
    private static float expm1Reduced(float r) {
        float p = Math.fma(r, 1f / 5040f, 1f / 720f);
        p = Math.fma(r, p, 1f / 120f);
        p = Math.fma(r, p, 1f / 24f);
        p = Math.fma(r, p, 1f / 6f);
        p = Math.fma(r, p, 0.5f);
        return Math.fma(r * r, p, r);
    }

    /**
     * {@code e^x − 1}, accurate in relative terms also near 0; arguments are clamped to
     * {@code [−87, 88]} (results from {@code −1} to {@code ≈ 1.65e38}, never infinite). NaN stays NaN.
     */
    static float expm1(float x) {
        return scaled(x, true);
    }

    /** {@code e^x} with the same clamping as {@link #expm1}. */
    static float exp(float x) {
        return scaled(x, false);
    }

    /** {@code 2^k·(e^r − 1) + 2^k − minusOne}: the shared range reduction of both. */
    private static float scaled(float x, boolean minusOne) {
        // Clamped by comparisons, not Math.min/max: their NaN and signed-zero rules cost the SIMD form
        // several instructions per bound (docs/design.md §6, "Kernel measurements"). A NaN fails both tests
        // and then propagates through the arithmetic to the result.
        float c = x > 88f ? 88f : x;
        c = c < -87f ? -87f : c;
        float shifted = Math.fma(c, LOG2E, ROUND);
        float k = shifted - ROUND;
        float r = Math.fma(k, -LN2_HI, c);
        r = Math.fma(k, -LN2_LO, r);
        float q = expm1Reduced(r);
        float s = Float.intBitsToFloat((Float.floatToRawIntBits(shifted) - ROUND_BITS + 127) << 23);
        return Math.fma(s, q, minusOne ? s - 1f : s);
    }

    /** {@code 1 / (1 + e^−x)}. */
    static float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** {@code tanh x = sign(x)·m/(m + 2)} with {@code m = e^{2|x|} − 1}: no cancellation near 0. */
    static float tanh(float x) {
        float ax = Math.abs(x);
        float m = expm1(2f * (ax > 10f ? 10f : ax));
        return Math.copySign(m / (m + 2f), x);
    }
}
