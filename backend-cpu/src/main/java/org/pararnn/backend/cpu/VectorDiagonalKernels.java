package org.pararnn.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels: the machine's preferred species, {@code loopBound} plus a scalar tail with the
 * same fused multiply-add, no allocation. Only loaded when {@code jdk.incubator.vector} is present.
 */
final class VectorDiagonalKernels implements DiagonalKernels {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    @Override
    public void fma(float[] a, int aOff, float[] x, int xOff, float[] b, int bOff, float[] out, int oOff, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector va = FloatVector.fromArray(SPECIES, a, aOff + i);
            FloatVector vx = FloatVector.fromArray(SPECIES, x, xOff + i);
            FloatVector vb = FloatVector.fromArray(SPECIES, b, bOff + i);
            va.fma(vx, vb).intoArray(out, oOff + i);
        }
        for (; i < n; i++) {
            out[oOff + i] = Math.fma(a[aOff + i], x[xOff + i], b[bOff + i]);
        }
    }

    @Override
    public void fmaScalar(float[] a, int aOff, float x, float[] y, int yOff, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        FloatVector vx = FloatVector.broadcast(SPECIES, x);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, a, aOff + i).fma(vx, FloatVector.fromArray(SPECIES, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(a[aOff + i], x, y[yOff + i]);
        }
    }

    @Override
    public void propagateAdd(float[] a, int aOff, float[] delta, float[] out, int oOff, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector d = FloatVector.fromArray(SPECIES, a, aOff + i).mul(FloatVector.fromArray(SPECIES, delta, i));
            d.intoArray(delta, i);
            FloatVector.fromArray(SPECIES, out, oOff + i).add(d).intoArray(out, oOff + i);
        }
        for (; i < n; i++) {
            float d = a[aOff + i] * delta[i];
            delta[i] = d;
            out[oOff + i] += d;
        }
    }

    @Override
    public void scale(float[] a, int aOff, float[] p, int n) {
        int i = 0;
        int bound = SPECIES.loopBound(n);
        for (; i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, p, i).mul(FloatVector.fromArray(SPECIES, a, aOff + i)).intoArray(p, i);
        }
        for (; i < n; i++) {
            p[i] *= a[aOff + i];
        }
    }

    @Override
    public String describe() {
        return "Vector API " + SPECIES.vectorBitSize() + "-bit (" + SPECIES.length() + " floats)";
    }

    @Override
    public org.pararnn.api.spi.Activations activations() {
        return new org.pararnn.api.spi.Activations() {
            @Override
            public void sigmoid(float[] x, int off, int n) {
                int whole = SPECIES.loopBound(n);
                VectorFastMath.sigmoid(x, off, whole);
                for (int i = off + whole; i < off + n; i++) {
                    x[i] = FastMath.sigmoid(x[i]);
                }
            }

            @Override
            public String describe() {
                return "FastMath, Vector API";
            }
        };
    }

    @Override
    public FusedRows fusedRows() {
        return VectorFusedRows.INSTANCE;
    }

    @Override
    public int lanes() {
        return SPECIES.length();
    }
}
