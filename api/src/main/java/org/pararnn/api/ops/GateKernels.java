package org.pararnn.api.ops;

import org.pararnn.api.spi.Activations;

/**
 * The SiLU gate {@code out = SiLU(g) ⊙ u = (g·σ(g))·u} and its backward on heap arrays, rows with strides
 * (the gate and the gated value are often two halves of one projection's output): the host ops' and,
 * through them, the language model's. σ comes from the backend's {@link Activations}, so a backend's fast
 * sigmoid serves here as in its cells.
 */
public final class GateKernels {
    private GateKernels() {
    }

    /** Rows {@code [from, to)}: {@code sig = σ(g)}, {@code out = (g·sig)·u}; {@code sig} and {@code out} contiguous rows. */
    public static void siluGate(Activations act, float[] g, int gOff, int gLd, float[] u, int uOff, int uLd, float[] sig,
                                float[] out, int from, int to, int width) {
        for (int r = from; r < to; r++) {
            System.arraycopy(g, gOff + r * gLd, sig, r * width, width);
        }
        act.sigmoid(sig, from * width, (to - from) * width);
        for (int r = from; r < to; r++) {
            int gi = gOff + r * gLd;
            int ui = uOff + r * uLd;
            int mi = r * width;
            for (int j = 0; j < width; j++) {
                out[mi + j] = g[gi + j] * sig[mi + j] * u[ui + j];
            }
        }
    }

    /**
     * Rows {@code [from, to)}: {@code dg = ((dOut·u)·σ)·(1 + g·(1 − σ))} and {@code du = (dOut·g)·σ}, written;
     * {@code sig} and {@code dOut} contiguous rows.
     */
    public static void siluGateBackward(float[] g, int gOff, int gLd, float[] u, int uOff, int uLd, float[] sig, float[] dOut,
                                        float[] dg, int dgOff, int dgLd, float[] du, int duOff, int duLd, int from, int to,
                                        int width) {
        for (int r = from; r < to; r++) {
            int gi = gOff + r * gLd;
            int ui = uOff + r * uLd;
            int mi = r * width;
            int gr = dgOff + r * dgLd;
            int ur = duOff + r * duLd;
            // Two loops, one store stream each: the JIT vectorises them (two streams in one loop it does not).
            for (int j = 0; j < width; j++) {
                float gv = g[gi + j];
                float s = sig[mi + j];
                dg[gr + j] = dOut[mi + j] * u[ui + j] * s * (1f + gv * (1f - s));
            }
            for (int j = 0; j < width; j++) {
                du[ur + j] = dOut[mi + j] * g[gi + j] * sig[mi + j];
            }
        }
    }

    /** Elements {@code [from, to)} of contiguous arrays: {@code sig = σ(x)}, {@code y = x·sig}. */
    public static void silu(Activations act, float[] x, float[] sig, float[] y, int from, int to) {
        System.arraycopy(x, from, sig, from, to - from);
        act.sigmoid(sig, from, to - from);
        for (int i = from; i < to; i++) {
            y[i] = x[i] * sig[i];
        }
    }

    /** Elements {@code [from, to)}: {@code dx = dy·σ·(1 + x·(1 − σ))}, written. */
    public static void siluBackward(float[] x, float[] sig, float[] dy, float[] dx, int from, int to) {
        for (int i = from; i < to; i++) {
            float s = sig[i];
            dx[i] = dy[i] * s * (1f + x[i] * (1f - s));
        }
    }

    /** Rows {@code [from, to)} of {@code x[r, j] += scale[j]·y[r, j]}. */
    public static void scaledResidual(float[] y, int yOff, int yLd, float[] scale, float[] x, int xOff, int xLd, int from, int to,
                                      int width) {
        for (int r = from; r < to; r++) {
            int yi = yOff + r * yLd;
            int xi = xOff + r * xLd;
            for (int j = 0; j < width; j++) {
                x[xi + j] += scale[j] * y[yi + j];
            }
        }
    }

    /** Rows {@code [from, to)} of {@code dy[r, j] = dx[r, j]·scale[j]}. */
    public static void scaledResidualInputGrad(float[] dx, int dxOff, int dxLd, float[] scale, float[] dy, int dyOff, int dyLd,
                                               int from, int to, int width) {
        for (int r = from; r < to; r++) {
            int di = dxOff + r * dxLd;
            int oi = dyOff + r * dyLd;
            for (int j = 0; j < width; j++) {
                dy[oi + j] = dx[di + j] * scale[j];
            }
        }
    }

    /** Columns {@code [from, to)} of {@code gradScale[j] += Σ_r dx[r, j]·y[r, j]}, each column's rows added in order. */
    public static void scaledResidualScaleGrad(float[] dx, int dxOff, int dxLd, float[] y, int yOff, int yLd, float[] gradScale,
                                               int rows, int from, int to) {
        for (int r = 0; r < rows; r++) {
            int di = dxOff + r * dxLd;
            int yi = yOff + r * yLd;
            for (int j = from; j < to; j++) {
                gradScale[j] += dx[di + j] * y[yi + j];
            }
        }
    }
}
