package org.pararnn.backend.cpu;

/** Plain loops; the fallback when the Vector API is absent, and the reference the vector kernels match bit for bit. */
final class ScalarDiagonalKernels implements DiagonalKernels {
    private final String description;

    ScalarDiagonalKernels(String description) {
        this.description = description;
    }

    @Override
    public void fma(float[] a, int aOff, float[] x, int xOff, float[] b, int bOff, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            out[oOff + i] = Math.fma(a[aOff + i], x[xOff + i], b[bOff + i]);
        }
    }

    @Override
    public void fmaScalar(float[] a, int aOff, float x, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Math.fma(a[aOff + i], x, y[yOff + i]);
        }
    }

    @Override
    public void propagateAdd(float[] a, int aOff, float[] delta, float[] out, int oOff, int n) {
        for (int i = 0; i < n; i++) {
            float d = a[aOff + i] * delta[i];
            delta[i] = d;
            out[oOff + i] += d;
        }
    }

    @Override
    public void scale(float[] a, int aOff, float[] p, int n) {
        for (int i = 0; i < n; i++) {
            p[i] *= a[aOff + i];
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public int lanes() {
        return 1;
    }
}
