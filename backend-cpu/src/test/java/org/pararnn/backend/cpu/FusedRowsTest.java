package org.pararnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import java.util.function.Consumer;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Vector API kernels against the scalar ones, bit for bit: every lane does the same operations in
 * the same order, so a backend gives the same numbers with and without {@code jdk.incubator.vector}.
 * Widths that are not multiples of the vector length exercise the scalar tails; feature ranges start
 * off zero to catch offset mistakes.
 */
class FusedRowsTest {
    private static final FusedRows SCALAR = ScalarFusedRows.INSTANCE;
    private static FusedRows vector;

    @BeforeAll
    static void vectorKernels() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "jdk.incubator.vector absent");
        vector = VectorFusedRows.INSTANCE;
    }

    private static float[] gaussian(Random r, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian() * scale;
        }
        return x;
    }

    @Test
    void fastMathLanesEqualScalar() {
        int n = FloatVector.SPECIES_PREFERRED.length();
        Random r = new Random(3);
        float[] special = {0f, -0f, 1e-30f, -1e-30f, 88.5f, -88.5f, 1e6f, -1e6f, Float.NaN, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY, 10f, -10f, 20f, 0.34657359f, -0.34657359f};
        for (int round = 0; round < 20_000; round++) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = round < 4 ? special[(round * n + i) % special.length] : (float) r.nextGaussian() * (1 + round % 30);
            }
            FloatVector v = FloatVector.fromArray(FloatVector.SPECIES_PREFERRED, x, 0);
            float[] e = VectorFastMath.exp(v).toArray();
            float[] m = VectorFastMath.expm1(v).toArray();
            float[] s = VectorFastMath.sigmoid(v).toArray();
            float[] t = VectorFastMath.tanh(v).toArray();
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToIntBits(FastMath.exp(x[i])), Float.floatToIntBits(e[i]), "exp " + x[i]);
                assertEquals(Float.floatToIntBits(FastMath.expm1(x[i])), Float.floatToIntBits(m[i]), "expm1 " + x[i]);
                assertEquals(Float.floatToIntBits(FastMath.sigmoid(x[i])), Float.floatToIntBits(s[i]), "sigmoid " + x[i]);
                assertEquals(Float.floatToIntBits(FastMath.tanh(x[i])), Float.floatToIntBits(t[i]), "tanh " + x[i]);
            }
        }
    }

    @Test
    void activationsAreFastMathElementForElementAtAnyOffsetAndLength() {
        Random r = new Random(5);
        float[] x = gaussian(r, 1000, 6f);
        for (DiagonalKernels k : new DiagonalKernels[] {new ScalarDiagonalKernels("scalar"), new VectorDiagonalKernels()}) {
            for (int[] range : new int[][] {{0, 1000}, {3, 997}, {17, 5}, {999, 1}}) {
                float[] y = x.clone();
                k.activations().sigmoid(y, range[0], range[1]);
                for (int i = 0; i < x.length; i++) {
                    boolean inside = i >= range[0] && i < range[0] + range[1];
                    float want = inside ? FastMath.sigmoid(x[i]) : x[i];
                    assertEquals(Float.floatToIntBits(want), Float.floatToIntBits(y[i]),
                            k.describe() + " [" + range[0] + "+" + range[1] + ") at " + i);
                }
            }
        }
    }

    /** Runs {@code kernel} on copies of {@code arrays} with both implementations; every array must match. */
    private static void same(float[][] arrays, KernelCall kernel, String what) {
        float[][] s = copy(arrays);
        float[][] v = copy(arrays);
        kernel.run(SCALAR, s);
        kernel.run(vector, v);
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] != null) {
                assertArrayEquals(s[i], v[i], what + ": array " + i);
            }
        }
    }

    private static float[][] copy(float[][] arrays) {
        float[][] c = new float[arrays.length][];
        for (int i = 0; i < arrays.length; i++) {
            c[i] = arrays[i] == null ? null : arrays[i].clone();
        }
        return c;
    }

    interface KernelCall {
        void run(FusedRows rows, float[][] x);
    }

    @Test
    void featureKernelsEqualScalarIncludingTails() {
        Random r = new Random(7);
        for (int dw : new int[] {1, 7, 8, 13, 29, 64}) {
            for (int[] range : new int[][] {{0, dw}, {Math.min(dw, 3), dw}, {0, Math.max(1, dw - 2)}}) {
                int d0 = range[0];
                int d1 = range[1];
                float[] a = gaussian(r, 3 * dw, 0.7f);
                float[] c = gaussian(r, 2 * dw, 0.5f);
                float[] prev = gaussian(r, 2 * dw, 1f);
                float[] u = gaussian(r, 3 * dw, 2f);
                float[] g = gaussian(r, 2 * dw, 1f);
                String at = "D=" + dw + " [" + d0 + "," + d1 + ")";
                same(new float[][] {a, prev, u, new float[dw]},
                        (k, x) -> k.gruForward(x[0], dw, x[1], 0, x[2], 0, x[3], 0, d0, d1), "gruForward " + at);
                same(new float[][] {a, prev, u, g, gaussian(r, dw, 1f), new float[3 * dw], gaussian(r, 3 * dw, 1f)},
                        (k, x) -> k.gruBackward(x[0], dw, x[1], 0, x[2], 0, x[3], 0, x[4], x[5], x[6], d0, d1),
                        "gruBackward " + at);
                same(new float[][] {a, c, prev, u, new float[2 * dw]},
                        (k, x) -> k.lstmForward(x[0], x[1], dw, x[2], 0, x[3], 0, x[4], 0, d0, d1), "lstmForward " + at);
                same(new float[][] {a, c, prev, u, g, gaussian(r, dw, 1f), gaussian(r, dw, 1f), new float[3 * dw],
                        gaussian(r, 3 * dw, 1f), gaussian(r, 2 * dw, 1f)},
                        (k, x) -> k.lstmBackward(x[0], x[1], dw, x[2], 0, x[3], 0, x[4], 0, x[5], x[6], x[7], x[8],
                                x[9], d0, d1), "lstmBackward " + at);
                for (boolean products : new boolean[] {false, true}) {
                    same(new float[][] {a, prev, gaussian(r, dw, 1f), u, gaussian(r, dw, 1f),
                            products ? gaussian(r, dw, 1f) : null, new float[dw], new float[dw], new float[dw], new float[dw]},
                            (k, x) -> k.gruNewton(x[0], dw, x[1], 0, x[2], 0, x[3], 0, x[4], x[5], x[6], 0, x[7], x[8],
                                    x[9], d0, d1), "gruNewton " + at);
                }
                same(new float[][] {a, prev, u, g, gaussian(r, dw, 1f), gaussian(r, dw, 1f), new float[dw], new float[3 * dw],
                        new float[dw], new float[dw]},
                        (k, x) -> k.gruAdjointLocal(x[0], dw, x[1], 0, x[2], 0, x[3], 0, x[4], x[5], x[6], x[7], x[8],
                                x[9], d0, d1), "gruAdjointLocal " + at);
                same(new float[][] {a, prev, gaussian(r, 3 * dw, 0.5f), gaussian(r, dw, 1f), gaussian(r, dw, 1f),
                        gaussian(r, dw, 1f), gaussian(r, 3 * dw, 1f)},
                        (k, x) -> k.gruAdjointFinish(x[0], dw, x[1], 0, x[2], 0, x[3], x[4], 0, x[5], x[6], d0, d1),
                        "gruAdjointFinish " + at);
            }
        }
    }

    @Test
    void seriesKernelMatchesScalarForEveryChunkShape() {
        // The vector form scans each vector of steps as a tree: same values to float round-off, so the
        // comparison is relative (1e-6 of the largest state), while the residual and |f| maxima, which do
        // not go through the scan, must match exactly.
        Random r = new Random(11);
        int steps = 301;
        float[] gates = gaussian(r, 3 * steps + 20, 1.5f);
        float[] old = gaussian(r, steps, 0.5f);
        for (int[] chunk : new int[][] {{0, steps}, {0, 5}, {1, 9}, {37, 301}, {100, 117}, {300, 301}}) {
            for (boolean zeroIterate : new boolean[] {false, true}) {
                for (boolean products : new boolean[] {false, true}) {
                    String what = "series [" + chunk[0] + "," + chunk[1] + ") zero=" + zeroIterate + " products=" + products;
                    float[][] s = {new float[steps], products ? new float[steps] : null, {0.3f, 1f, 0f, 0f}};
                    float[][] v = {new float[steps], products ? new float[steps] : null, {0.3f, 1f, 0f, 0f}};
                    SCALAR.gruNewtonSeries(0.6f, -0.4f, 0.9f, 0.25f, zeroIterate ? null : old, 0, gates, steps + 7,
                            chunk[0], chunk[1], products, s[0], s[1], s[2]);
                    vector.gruNewtonSeries(0.6f, -0.4f, 0.9f, 0.25f, zeroIterate ? null : old, 0, gates, steps + 7,
                            chunk[0], chunk[1], products, v[0], v[1], v[2]);
                    for (int k = 0; k < 2; k++) {
                        if (s[k] == null) {
                            continue;
                        }
                        double scale = 1e-30;
                        for (float x : s[k]) {
                            scale = Math.max(scale, Math.abs(x));
                        }
                        for (int t = 0; t < steps; t++) {
                            assertEquals(s[k][t], v[k][t], 1e-6 * scale, what + " array " + k + " t=" + t);
                        }
                    }
                    assertEquals(s[2][0], v[2][0], 1e-6, what + " carry");
                    assertEquals(s[2][1], v[2][1], 1e-6 * Math.max(1, Math.abs(s[2][1])), what + " product");
                    assertEquals(s[2][2], v[2][2], 0f, what + " residual max");
                    assertEquals(s[2][3], v[2][3], 0f, what + " |f| max");
                    if (!zeroIterate) {
                        // The check-only kernel measures exactly what the full pass measured.
                        for (FusedRows k : new FusedRows[] {SCALAR, vector}) {
                            float[] run = {0f, 1f, 0f, 0f};
                            k.gruResidualSeries(0.6f, -0.4f, 0.9f, 0.25f, old, 0, gates, steps + 7, chunk[0], chunk[1], run);
                            assertEquals(s[2][2], run[2], 0f, what + " residual-only max " + k);
                            assertEquals(s[2][3], run[3], 0f, what + " residual-only |f| max " + k);
                        }
                    }
                }
            }
        }
    }
    /**
     * Once C2 has compiled them, the vector kernels allocate nothing. A vector that crosses a call C2 did
     * not inline is boxed (see {@code VectorFusedRows}): the results stay right, only the garbage and a
     * 2–3× slower kernel show it, so this is the test that catches it. All kernels run in rounds of 200
     * calls each until one round in which none of them allocated, within a generous budget for the JIT.
     */
    @Test
    void kernelsDoNotAllocateOnceCompiled() {
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count allocated bytes per thread");
        Random r = new Random(13);
        int dw = 67;
        int steps = 2048;
        float[] a = gaussian(r, 3 * dw, 0.7f);
        float[] c = gaussian(r, 2 * dw, 0.5f);
        float[] prev = gaussian(r, 2 * dw, 1f);
        float[] u = gaussian(r, 3 * dw, 2f);
        float[] g = gaussian(r, 2 * dw, 1f);
        float[][] w = new float[8][];
        for (int i = 0; i < w.length; i++) {
            w[i] = gaussian(r, 3 * dw, 0.1f);
        }
        float[] gates = gaussian(r, 3 * steps, 1.5f);
        float[] series = gaussian(r, steps, 0.5f);
        float[] out = new float[steps];
        float[] prods = new float[steps];
        float[] run = new float[4];
        java.util.Map<String, Runnable> kernels = new java.util.LinkedHashMap<>();
        kernels.put("gruForward", () -> vector.gruForward(a, dw, prev, 0, u, 0, w[0], 0, 0, dw));
        kernels.put("gruBackward", () -> vector.gruBackward(a, dw, prev, 0, u, 0, g, 0, w[0], w[1], w[2], 0, dw));
        kernels.put("lstmForward", () -> vector.lstmForward(a, c, dw, prev, 0, u, 0, w[0], 0, 0, dw));
        kernels.put("lstmBackward", () -> vector.lstmBackward(a, c, dw, prev, 0, u, 0, g, 0, w[0], w[1], w[2], w[3],
                w[4], 0, dw));
        kernels.put("gruNewton", () -> vector.gruNewton(a, dw, prev, 0, g, 0, u, 0, w[0], w[1], w[2], 0, w[3], w[4],
                w[5], 0, dw));
        kernels.put("gruAdjointLocal", () -> vector.gruAdjointLocal(a, dw, prev, 0, u, 0, g, 0, w[0], w[1], w[2], w[3],
                w[4], w[5], 0, dw));
        kernels.put("gruAdjointFinish", () -> vector.gruAdjointFinish(a, dw, prev, 0, w[0], 0, w[1], w[2], 0, w[3],
                w[4], 0, dw));
        kernels.put("gruNewtonSeries", () -> {
            java.util.Arrays.fill(run, 0f);
            vector.gruNewtonSeries(0.6f, -0.4f, 0.9f, 0.25f, series, 0, gates, steps, 0, steps, true, out, prods, run);
        });
        kernels.put("gruResidualSeries", () -> vector.gruResidualSeries(0.6f, -0.4f, 0.9f, 0.25f, series, 0, gates,
                steps, 0, steps, run));
        java.util.Map<String, Long> garbage = new java.util.LinkedHashMap<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        int rounds = 0;
        do {
            garbage.clear();
            for (var k : kernels.entrySet()) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 200; i++) {
                    k.getValue().run();
                }
                long bytes = mx.getCurrentThreadAllocatedBytes() - before;
                if (bytes > 0) {
                    garbage.put(k.getKey(), bytes);
                }
            }
            rounds++;
        } while (!garbage.isEmpty() && System.nanoTime() < deadline);
        assertTrue(garbage.isEmpty(), "still allocating after " + rounds + " rounds of 200 calls (bytes per round): "
                + garbage + "; a vector crossing a call C2 did not inline is boxed");
    }
}
