package org.pararnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FastMath} lane-wise: the same operations in the same order on every lane (clamps, FMA, the
 * rounding constant, exponent-bit scaling, one division), so each lane is bit-identical to the scalar
 * function — the fused kernels' scalar tails and the scalar fallback give the same numbers. Only loaded
 * when {@code jdk.incubator.vector} is present.
 */
final class VectorFastMath {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private VectorFastMath() {
    }

    /** {@code x > bound ? bound : x}, as {@link FastMath} clamps (a NaN lane stays NaN). */
    private static FloatVector atMost(FloatVector x, float bound) {
        return x.blend(bound, x.compare(VectorOperators.GT, bound));
    }

    /** {@code x < bound ? bound : x}. */
    private static FloatVector atLeast(FloatVector x, float bound) {
        return x.blend(bound, x.compare(VectorOperators.LT, bound));
    }

    private static FloatVector scaled(FloatVector x, boolean minusOne) {
        FloatVector c = atLeast(atMost(x, 88f), -87f);
        FloatVector shifted = c.fma(FastMath.LOG2E, FastMath.ROUND);
        FloatVector k = shifted.sub(FastMath.ROUND);
        FloatVector r = k.fma(FloatVector.broadcast(SPECIES, -FastMath.LN2_HI), c);
        r = k.fma(FloatVector.broadcast(SPECIES, -FastMath.LN2_LO), r);
        FloatVector p = r.fma(1f / 5040f, 1f / 720f);
        p = r.fma(p, FloatVector.broadcast(SPECIES, 1f / 120f));
        p = r.fma(p, FloatVector.broadcast(SPECIES, 1f / 24f));
        p = r.fma(p, FloatVector.broadcast(SPECIES, 1f / 6f));
        p = r.fma(p, FloatVector.broadcast(SPECIES, 0.5f));
        FloatVector q = r.mul(r).fma(p, r);
        IntVector bits = (IntVector) shifted.reinterpretAsInts();
        FloatVector s = (FloatVector) bits.sub(FastMath.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return s.fma(q, minusOne ? s.sub(1f) : s);
    }

    static FloatVector exp(FloatVector x) {
        return scaled(x, false);
    }

    static FloatVector expm1(FloatVector x) {
        return scaled(x, true);
    }

    static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(SPECIES, 1f).div(exp(x.neg()).add(1f));
    }

    static FloatVector tanh(FloatVector x) {
        FloatVector m = expm1(atMost(x.abs(), 10f).mul(2f));
        FloatVector q = m.div(m.add(2f));
        IntVector sign = ((IntVector) x.reinterpretAsInts()).and(0x80000000);
        return (FloatVector) ((IntVector) q.reinterpretAsInts()).and(0x7fffffff).or(sign).reinterpretAsFloats();
    }

    private static final int SIGMOID = 0;
    private static final int TANH = 1;

    /** {@code x[off, off+len) = σ(x)}, whole vectors ({@code len} a multiple of the vector length). */
    static void sigmoid(float[] x, int off, int len) {
        apply(SIGMOID, x, off, len);
    }

    /** {@code x[off, off+len) = tanh(x)}, whole vectors. */
    static void tanh(float[] x, int off, int len) {
        apply(TANH, x, off, len);
    }

    /**
     * The array form the kernels use: the same operations as {@link #sigmoid(FloatVector)} and
     * {@link #tanh(FloatVector)}, with the shared range reduction written out in the loop. It is written
     * out on purpose: this method's bytecode then exceeds C2's hot-inlining size, so it is always compiled
     * on its own. Inlined into a kernel next to other vector code, two or three copies of the polynomial
     * push C2 past its inlining node budget; the Vector API calls after that point stay un-intrinsified
     * and every vector is boxed, several times slower than the arithmetic (docs/design.md §6, "Kernel
     * measurements").
     */
    private static void apply(int kind, float[] x, int off, int len) {
        FloatVector one = FloatVector.broadcast(SPECIES, 1f);
        FloatVector lnHi = FloatVector.broadcast(SPECIES, -FastMath.LN2_HI);
        FloatVector lnLo = FloatVector.broadcast(SPECIES, -FastMath.LN2_LO);
        FloatVector c120 = FloatVector.broadcast(SPECIES, 1f / 120f);
        FloatVector c24 = FloatVector.broadcast(SPECIES, 1f / 24f);
        FloatVector c6 = FloatVector.broadcast(SPECIES, 1f / 6f);
        FloatVector half = FloatVector.broadcast(SPECIES, 0.5f);
        boolean sigmoid = kind == SIGMOID;
        for (int i = off; i < off + len; i += SPECIES.length()) {
            FloatVector v = FloatVector.fromArray(SPECIES, x, i);
            // The clamps written out (as atMost / atLeast): see the class comment of VectorFusedRows. tanh's
            // argument 2·min(|x|, 10) already lies inside exp's clamp range, so only the sigmoid applies it
            // (the same bits: clamping a value inside the range, or a NaN, leaves it as it is).
            FloatVector c;
            if (sigmoid) {
                FloatVector arg = v.neg();
                FloatVector high = arg.blend(88f, arg.compare(VectorOperators.GT, 88f));
                c = high.blend(-87f, high.compare(VectorOperators.LT, -87f));
            } else {
                FloatVector abs = v.abs();
                c = abs.blend(10f, abs.compare(VectorOperators.GT, 10f)).mul(2f);
            }
            FloatVector shifted = c.fma(FastMath.LOG2E, FastMath.ROUND);
            FloatVector k = shifted.sub(FastMath.ROUND);
            FloatVector r = k.fma(lnHi, c);
            r = k.fma(lnLo, r);
            FloatVector p = r.fma(1f / 5040f, 1f / 720f);
            p = r.fma(p, c120);
            p = r.fma(p, c24);
            p = r.fma(p, c6);
            p = r.fma(p, half);
            FloatVector q = r.mul(r).fma(p, r);
            IntVector bits = (IntVector) shifted.reinterpretAsInts();
            FloatVector s = (FloatVector) bits.sub(FastMath.ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                    .reinterpretAsFloats();
            FloatVector e = s.fma(q, sigmoid ? s : s.sub(1f));
            FloatVector out;
            if (sigmoid) {
                out = one.div(e.add(1f));
            } else {
                IntVector sign = ((IntVector) v.reinterpretAsInts()).and(0x80000000);
                out = (FloatVector) ((IntVector) e.div(e.add(2f)).reinterpretAsInts()).and(0x7fffffff).or(sign)
                        .reinterpretAsFloats();
            }
            out.intoArray(x, i);
        }
    }
}
