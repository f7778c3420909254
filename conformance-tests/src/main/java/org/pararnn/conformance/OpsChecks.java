package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.DeviceInts;
import org.pararnn.api.ops.HostOps;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.spi.Backend;

abstract class OpsChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    private Ops ops;

    @org.junit.jupiter.api.BeforeEach
    void theBackendsOps() {
        ops = backend().ops();
    }

    private DeviceArray upload(String name, float[] host) {
        DeviceArray d = ops.allocate(name, host.length);
        ops.upload(host, 0, d, 0, host.length);
        return d;
    }

    private float[] download(DeviceArray d) {
        float[] host = new float[Math.toIntExact(d.length())];
        ops.download(d, 0, host, 0, host.length);
        return host;
    }

    @Test
    void theOpsSayWhereTheyRun() {
        String what = ops.describe();
        assertTrue(what != null && !what.isBlank(), "describe() is empty");
        assertTrue(what.contains(backend().name()), "the ops must name the backend they serve: " + what);
        if (ops instanceof HostOps && what.startsWith("host")) {
            assertTrue(what.contains("backend " + backend().name() + " offers no ops of its own"),
                    "host ops standing in must say so: " + what);
        }
    }

    /**
     * Every transpose, α and β (0 ignores NaN in C), odd shapes, operands inside wider arrays with an
     * offset and padded rows: each element within the componentwise float64 bound, C's padding untouched.
     * The last shapes have few output tiles and a long k (a parameter's gradient over a batch of rows),
     * which a backend may sum in pieces.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2}")
    @CsvSource({"1, 1, 1", "3, 5, 7", "17, 33, 9", "64, 1, 130", "5, 4, 0", "200, 150, 40", "16, 16, 1000",
            "70, 5, 3001"})
    void matmulMatchesFloat64(int m, int n, int k) {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                for (float[] ab : new float[][] {{1f, 0f}, {-0.75f, 1f}, {1.5f, 0.5f}}) {
                    float alpha = ab[0];
                    float beta = ab[1];
                    int aRows = ta ? k : m;
                    int aCols = ta ? m : k;
                    int bRows = tb ? n : k;
                    int bCols = tb ? k : n;
                    int lda = aCols + 3;
                    int ldb = bCols + 1;
                    int ldc = n + 2;
                    float[] a = KitData.gaussian(5 + aRows * lda, 1, 31L * m + k);
                    float[] b = KitData.gaussian(2 + bRows * ldb, 1, 17L * n + k);
                    float[] c = KitData.gaussian(4 + m * ldc, 1, 7L * m + n);
                    if (beta == 0f && c.length > 4) {
                        c[4] = Float.NaN; // β = 0 must ignore it
                    }
                    DeviceArray da = upload("a", a);
                    DeviceArray db = upload("b", b);
                    DeviceArray dc = upload("c", c);
                    ops.matmul(new Matrix(da, 5, aRows, aCols, lda), ta, new Matrix(db, 2, bRows, bCols, ldb), tb, alpha, beta,
                            new Matrix(dc, 4, m, n, ldc));
                    float[] got = download(dc);
                    String what = "ta=" + ta + " tb=" + tb + " alpha=" + alpha + " beta=" + beta;
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double[] ref = OpsReference.matmul(a, 5, lda, ta, b, 2, ldb, tb, c, 4, ldc, i, j, k, alpha, beta);
                            double err = Math.abs(got[4 + i * ldc + j] - ref[0]);
                            assertTrue(err <= Tolerances.matmul(k) * ref[1] + Float.MIN_NORMAL,
                                    what + " c[" + i + "][" + j + "] = " + got[4 + i * ldc + j] + ", float64 " + ref[0]);
                        }
                        for (int j = n; j < ldc && i < m - 1; j++) {
                            assertEquals(c[4 + i * ldc + j], got[4 + i * ldc + j], what + ": padding of c written");
                        }
                    }
                    for (int e = 0; e < 4; e++) {
                        assertEquals(c[e], got[e], what + ": c before its offset written");
                    }
                }
            }
        }
    }

    @Test
    void rmsNormForwardAndBackwardMatchFloat64() {
        int rows = 37;
        int width = 130;
        float[] x = KitData.gaussian(rows * width, 1.3, 41);
        float[] g = KitData.gaussian(width, 1, 42);
        float[] dy = KitData.gaussian(rows * width, 1, 43);
        DeviceArray dxIn = upload("x", x);
        DeviceArray dg = upload("gain", g);
        DeviceArray y = ops.allocate("y", rows * width);
        DeviceArray inv = ops.allocate("invRms", rows);
        ops.rmsNorm(Matrix.of(dxIn, rows, width), dg, Matrix.of(y, rows, width), inv);
        float[] got = download(y);
        double[] inv64 = OpsReference.invRms(x, rows, width);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                double ref = x[r * width + j] * inv64[r] * g[j];
                double err = Math.abs(got[r * width + j] - ref);
                assertTrue(err <= Tolerances.rmsNorm(width) * Math.abs(ref) + Float.MIN_NORMAL,
                        "y[" + r + "][" + j + "] = " + got[r * width + j] + ", float64 " + ref);
            }
        }
        // Backward: dx written, then accumulated onto itself; the gain's gradient added to a start value.
        double[][] ref = OpsReference.rmsNormBackward(x, g, dy, rows, width);
        DeviceArray ddy = upload("dy", dy);
        DeviceArray dx = ops.allocate("dx", rows * width);
        float[] gg0 = KitData.gaussian(width, 1, 44);
        DeviceArray gg = upload("gradGain", gg0);
        ops.rmsNormBackward(Matrix.of(dxIn, rows, width), dg, inv, Matrix.of(ddy, rows, width), Matrix.of(dx, rows, width),
                false, gg);
        float[] dx1 = download(dx);
        within(Tolerances.rowSum(width), KitData.relError(dx1, ref[0]), "rmsNorm dx");
        float[] ggGot = download(gg);
        double[] ggDelta = new double[width];
        float[] ggDeltaGot = new float[width];
        for (int j = 0; j < width; j++) {
            ggDelta[j] = ref[1][j];
            ggDeltaGot[j] = ggGot[j] - gg0[j];
        }
        within(Tolerances.rowSum(rows) + 4 * Tolerances.EPS * norm(gg0) / norm(ggDelta), KitData.relError(ggDeltaGot, ggDelta),
                "rmsNorm gain gradient (added)");
        ops.rmsNormBackward(Matrix.of(dxIn, rows, width), dg, inv, Matrix.of(ddy, rows, width), Matrix.of(dx, rows, width),
                true, ops.allocate("gradGain2", width));
        float[] dx2 = download(dx);
        double[] twice = new double[ref[0].length];
        for (int i = 0; i < twice.length; i++) {
            twice[i] = 2 * ref[0][i];
        }
        within(Tolerances.rowSum(width), KitData.relError(dx2, twice), "rmsNorm dx accumulated");
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    @Test
    void shapesThatDoNotFitAreRefusedNamingThemAndTouchNothing() {
        DeviceArray a = upload("a", KitData.gaussian(12, 1, 1));
        DeviceArray b = upload("b", KitData.gaussian(12, 1, 2));
        float[] c0 = KitData.gaussian(9, 1, 3);
        DeviceArray c = upload("c", c0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.matmul(Matrix.of(a, 3, 4), false, Matrix.of(b, 3, 4), false, 1f, 0f, Matrix.of(c, 3, 3)));
        assertTrue(e.getMessage().contains("inner dimensions differ") && e.getMessage().contains("a 3 x 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Matrix(c, 2, 3, 3, 3));
        assertTrue(e.getMessage().startsWith("c: a 3 x 3 matrix"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.rmsNorm(Matrix.of(a, 3, 4), ops.allocate("gain", 3), Matrix.of(b, 3, 4), ops.allocate("inv", 3)));
        assertTrue(e.getMessage().contains("gain has 3 values for 4 columns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ops.matmul(Matrix.of(a, 3, 4), false, Matrix.of(b, 4, 3), false, 1f, 0f, Matrix.of(a, 3, 3)));
        assertTrue(e.getMessage().contains("also an input"), e.getMessage());
        assertArrayEquals(c0, download(c), "a refused product wrote into its output");
    }

    /**
     * Embedding with and without positions, and its scatter-add backward (repeated tokens add up) against
     * float64; a token outside the vocabulary refused naming it and its position, nothing written.
     */
    @Test
    void embeddingGathersAndScattersExactly() {
        int vocab = 11;
        int d = 6;
        int steps = 4;
        int rows = 3 * steps;
        int[] tok = new int[rows];
        for (int r = 0; r < rows; r++) {
            tok[r] = (r * 7) % vocab;
        }
        tok[5] = tok[0]; // a repeated token: its gradients add up
        float[] table = KitData.gaussian(vocab * d, 1, 91);
        float[] pos = KitData.gaussian(steps * d, 1, 92);
        float[] dy = KitData.gaussian(rows * d, 1, 93);
        var tokens = ops.allocateInts("tokens", rows);
        ops.uploadInts(tok, 0, tokens, 0, rows);
        for (boolean withPositions : new boolean[] {false, true}) {
            DeviceArray out = ops.allocate("out", rows * d);
            ops.embedding(tokens, steps, upload("table", table), withPositions ? upload("pos", pos) : null, Matrix.of(out, rows, d));
            float[] got = download(out);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < d; j++) {
                    float want = table[tok[r] * d + j] + (withPositions ? pos[(r % steps) * d + j] : 0f);
                    assertEquals(want, got[r * d + j], "positions=" + withPositions + " out[" + r + "][" + j + "]");
                }
            }
        }
        float[] gt0 = KitData.gaussian(vocab * d, 1, 94);
        DeviceArray gt = upload("gradTable", gt0);
        DeviceArray gp = ops.allocate("gradPos", steps * d);
        ops.embeddingBackward(tokens, steps, Matrix.of(upload("dy", dy), rows, d), gt, gp);
        float[] gtGot = download(gt);
        float[] gpGot = download(gp);
        for (int v = 0; v < vocab; v++) {
            for (int j = 0; j < d; j++) {
                double sum = gt0[v * d + j];
                double mag = Math.abs(gt0[v * d + j]);
                for (int r = 0; r < rows; r++) {
                    if (tok[r] == v) {
                        sum += dy[r * d + j];
                        mag += Math.abs(dy[r * d + j]);
                    }
                }
                assertTrue(Math.abs(gtGot[v * d + j] - sum) <= (rows + 2) * Tolerances.EPS * mag, "gradTable[" + v + "][" + j + "]");
            }
        }
        for (int t = 0; t < steps; t++) {
            for (int j = 0; j < d; j++) {
                double sum = 0;
                double mag = 0;
                for (int r = t; r < rows; r += steps) {
                    sum += dy[r * d + j];
                    mag += Math.abs(dy[r * d + j]);
                }
                assertTrue(Math.abs(gpGot[t * d + j] - sum) <= (rows + 2) * Tolerances.EPS * mag, "gradPos[" + t + "][" + j + "]");
            }
        }
        tok[7] = vocab;
        ops.uploadInts(tok, 0, tokens, 0, rows);
        float[] before = KitData.gaussian(rows * d, 1, 95);
        DeviceArray out = upload("out", before);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.embedding(tokens, steps, upload("table", table), null, Matrix.of(out, rows, d)));
        assertEquals("token 11 at position 7 is outside the vocabulary [0, 11)", e.getMessage());
        assertArrayEquals(before, download(out), "a refused embedding wrote its output");
    }

    /** SiLU and its gradient against float64 (the backend's sigmoid: within {@code 64 ε} of the terms' size). */
    @Test
    void siluMatchesFloat64() {
        int rows = 23;
        int w = 19;
        float[] x = KitData.gaussian(rows * w, 3, 101);
        float[] dy = KitData.gaussian(rows * w, 1, 102);
        DeviceArray dx = ops.allocate("dx", rows * w);
        DeviceArray sig = ops.allocate("sig", rows * w);
        DeviceArray y = ops.allocate("y", rows * w);
        Matrix xm = Matrix.of(upload("x", x), rows, w);
        ops.silu(xm, Matrix.of(sig, rows, w), Matrix.of(y, rows, w));
        ops.siluBackward(xm, Matrix.of(sig, rows, w), Matrix.of(upload("dy", dy), rows, w), Matrix.of(dx, rows, w));
        float[] yGot = download(y);
        float[] dxGot = download(dx);
        for (int i = 0; i < x.length; i++) {
            double s = 1 / (1 + Math.exp(-x[i]));
            double want = x[i] * s;
            double dWant = dy[i] * s * (1 + x[i] * (1 - s));
            assertTrue(Math.abs(yGot[i] - want) <= 64 * Tolerances.EPS * Math.abs(x[i]) + Float.MIN_NORMAL,
                    "y[" + i + "] = " + yGot[i] + ", float64 " + want);
            assertTrue(Math.abs(dxGot[i] - dWant) <= 64 * Tolerances.EPS * Math.abs(dy[i]) * (1 + Math.abs(x[i])) + Float.MIN_NORMAL,
                    "dx[" + i + "] = " + dxGot[i] + ", float64 " + dWant);
        }
    }

    /**
     * The SiLU gate and its gradients against float64, the gate and the value read as the two halves of
     * one wider array and the gate's gradient written into a half: a few roundings each (and the
     * backend's sigmoid), so within {@code 64 ε} of the terms' size.
     */
    @Test
    void siluGateMatchesFloat64() {
        int rows = 29;
        int f = 37;
        float[] wide = KitData.gaussian(rows * 2 * f, 2, 81);
        float[] dOut = KitData.gaussian(rows * f, 1, 82);
        DeviceArray w = upload("upOut", wide);
        DeviceArray sig = ops.allocate("sig", rows * f);
        DeviceArray out = ops.allocate("out", rows * f);
        Matrix g = new Matrix(w, 0, rows, f, 2 * f);
        Matrix u = new Matrix(w, f, rows, f, 2 * f);
        ops.siluGate(g, u, Matrix.of(sig, rows, f), Matrix.of(out, rows, f));
        float[] dWide0 = KitData.gaussian(rows * 2 * f, 1, 83);
        DeviceArray dw = upload("dUpOut", dWide0);
        DeviceArray du = ops.allocate("du", rows * f);
        ops.siluGateBackward(g, u, Matrix.of(sig, rows, f), Matrix.of(upload("dOut", dOut), rows, f), new Matrix(dw, f, rows, f, 2 * f),
                Matrix.of(du, rows, f));
        float[] outGot = download(out);
        float[] dWide = download(dw);
        float[] duGot = download(du);
        double tol = 64 * Tolerances.EPS;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < f; j++) {
                double gv = wide[r * 2 * f + j];
                double uv = wide[r * 2 * f + f + j];
                double s = 1 / (1 + Math.exp(-gv));
                double dy = dOut[r * f + j];
                double o = gv * s * uv;
                double dg = dy * uv * s * (1 + gv * (1 - s));
                double dU = dy * gv * s;
                assertTrue(Math.abs(outGot[r * f + j] - o) <= tol * Math.abs(gv * uv) + Float.MIN_NORMAL,
                        "out[" + r + "][" + j + "] = " + outGot[r * f + j] + ", float64 " + o);
                assertTrue(Math.abs(dWide[r * 2 * f + f + j] - dg) <= tol * Math.abs(dy * uv) * (1 + Math.abs(gv)) + Float.MIN_NORMAL,
                        "dg[" + r + "][" + j + "] = " + dWide[r * 2 * f + f + j] + ", float64 " + dg);
                assertTrue(Math.abs(duGot[r * f + j] - dU) <= tol * Math.abs(dy * gv) + Float.MIN_NORMAL,
                        "du[" + r + "][" + j + "] = " + duGot[r * f + j] + ", float64 " + dU);
                assertEquals(dWide0[r * 2 * f + j], dWide[r * 2 * f + j], "dg written outside its half");
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.siluGate(g, Matrix.of(ops.allocate("small", rows * f), rows - 1, f), Matrix.of(sig, rows, f), Matrix.of(out, rows, f)));
        assertTrue(e.getMessage().contains("small " + (rows - 1) + " x " + f + " is not the shape of upOut"), e.getMessage());
    }

    /**
     * The causal depthwise convolution against float64: forward with a history and without, reading x
     * from a strided slice of a wider array; backward's dx into a strided slice (the rest untouched), the
     * kernel's and bias's gradients added to start values. Every value a sum of at most {@code k·T}
     * terms: componentwise within {@code (k·T + 2) ε} of the sum of magnitudes.
     */
    @Test
    void causalConvolutionMatchesFloat64() {
        int batch = 3;
        int steps = 11;
        int d = 5;
        int k = 4;
        int rows = batch * steps;
        float[] wide = KitData.gaussian(rows * 2 * d, 1, 71); // x is the first half of each row
        float[] w = KitData.gaussian(d * k, 0.5, 72);
        float[] bias = KitData.gaussian(d, 0.5, 73);
        float[] hist = KitData.gaussian(batch * (k - 1) * d, 1, 74);
        float[] dy = KitData.gaussian(rows * d, 1, 75);
        DeviceArray dWide = upload("wide", wide);
        DeviceArray dw = upload("w", w);
        DeviceArray db = upload("bias", bias);
        double tol = (k * steps + 2) * Tolerances.EPS;
        for (boolean withHistory : new boolean[] {false, true}) {
            DeviceArray y = ops.allocate("y", rows * d);
            ops.causalConv(new Matrix(dWide, 0, rows, d, 2 * d), batch, steps, dw, db, withHistory ? upload("history", hist) : null,
                    Matrix.of(y, rows, d));
            float[] got = download(y);
            for (int b = 0; b < batch; b++) {
                for (int t = 0; t < steps; t++) {
                    for (int f = 0; f < d; f++) {
                        double sum = bias[f];
                        double mag = Math.abs(bias[f]);
                        for (int j = 0; j < k; j++) {
                            int src = t - (k - 1) + j;
                            double in = src >= 0 ? wide[(b * steps + src) * 2 * d + f]
                                    : withHistory ? hist[(b * (k - 1) + (k - 1) + src) * d + f] : 0;
                            sum += (double) w[f * k + j] * in;
                            mag += Math.abs((double) w[f * k + j] * in);
                        }
                        float g = got[(b * steps + t) * d + f];
                        assertTrue(Math.abs(g - sum) <= tol * mag + Float.MIN_NORMAL, "history=" + withHistory + " y[" + b + ","
                                + t + "," + f + "] = " + g + ", float64 " + sum);
                    }
                }
            }
        }
        float[] dxWide = KitData.gaussian(rows * 2 * d, 1, 76);
        DeviceArray dDx = upload("dxWide", dxWide);
        float[] gw0 = KitData.gaussian(d * k, 1, 77);
        float[] gb0 = KitData.gaussian(d, 1, 78);
        DeviceArray gw = upload("gradW", gw0);
        DeviceArray gb = upload("gradBias", gb0);
        ops.causalConvBackward(new Matrix(dWide, 0, rows, d, 2 * d), batch, steps, dw, Matrix.of(upload("dy", dy), rows, d),
                new Matrix(dDx, d, rows, d, 2 * d), gw, gb);
        float[] dxGot = download(dDx);
        float[] gwGot = download(gw);
        float[] gbGot = download(gb);
        for (int b = 0; b < batch; b++) {
            for (int src = 0; src < steps; src++) {
                for (int f = 0; f < d; f++) {
                    double sum = 0;
                    double mag = 0;
                    for (int j = 0; j < k; j++) {
                        int t = src + (k - 1) - j;
                        if (t < steps) {
                            sum += (double) dy[(b * steps + t) * d + f] * w[f * k + j];
                            mag += Math.abs((double) dy[(b * steps + t) * d + f] * w[f * k + j]);
                        }
                    }
                    int at = (b * steps + src) * 2 * d;
                    assertTrue(Math.abs(dxGot[at + d + f] - sum) <= tol * mag + Float.MIN_NORMAL, "dx[" + b + "," + src + "," + f
                            + "] = " + dxGot[at + d + f] + ", float64 " + sum);
                    assertEquals(dxWide[at + f], dxGot[at + f], "dx written outside its slice");
                }
            }
        }
        for (int f = 0; f < d; f++) {
            double sb = gb0[f];
            double mb = Math.abs(gb0[f]);
            for (int r = 0; r < rows; r++) {
                sb += dy[r * d + f];
                mb += Math.abs(dy[r * d + f]);
            }
            assertTrue(Math.abs(gbGot[f] - sb) <= (rows + 2) * Tolerances.EPS * mb, "gradBias[" + f + "] = " + gbGot[f] + ", float64 " + sb);
            for (int j = 0; j < k; j++) {
                double sw = gw0[f * k + j];
                double mw = Math.abs(gw0[f * k + j]);
                for (int b = 0; b < batch; b++) {
                    for (int t = 0; t < steps; t++) {
                        int src = t - (k - 1) + j;
                        if (src >= 0) {
                            double p = (double) dy[(b * steps + t) * d + f] * wide[(b * steps + src) * 2 * d + f];
                            sw += p;
                            mw += Math.abs(p);
                        }
                    }
                }
                assertTrue(Math.abs(gwGot[f * k + j] - sw) <= (rows + 2) * Tolerances.EPS * mw, "gradW[" + f + "][" + j + "] = "
                        + gwGot[f * k + j] + ", float64 " + sw);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.causalConv(
                new Matrix(dWide, 0, rows, d, 2 * d), batch, steps + 1, dw, db, null, Matrix.of(ops.allocate("y2", rows * d), rows, d)));
        assertTrue(e.getMessage().contains("for 3 sequences of 12 steps"), e.getMessage());
    }

    /**
     * AdamW element by element against float64 over a few updates (decay on and off, a gradient scale),
     * and the sum of squares against float64; mismatched lengths refused by name.
     */
    @Test
    void adamWAndSumOfSquaresMatchFloat64() {
        int n = 1031;
        float[] w0 = KitData.gaussian(n, 1, 61);
        float[] g = KitData.gaussian(n, 0.5, 62);
        DeviceArray w = upload("w", w0);
        DeviceArray dg = upload("g", g);
        DeviceArray m = ops.allocate("m", n);
        DeviceArray v = ops.allocate("v", n);
        double[] w64 = KitData.toDouble(w0);
        double[] m64 = new double[n];
        double[] v64 = new double[n];
        for (int t = 1; t <= 3; t++) {
            float decay = t == 2 ? 1f : 0.999f;
            Ops.AdamWStep st = new Ops.AdamWStep(0.9f, 0.99f, 0.01f / (float) (1 - Math.pow(0.9, t)),
                    (float) (1 / (1 - Math.pow(0.99, t))), 1e-8f, 0.7f, decay);
            ops.adamW(w, dg, m, v, st);
            for (int j = 0; j < n; j++) {
                double gj = (double) g[j] * st.gradScale();
                m64[j] = st.beta1() * m64[j] + (1 - (double) st.beta1()) * gj;
                v64[j] = st.beta2() * v64[j] + (1 - (double) st.beta2()) * gj * gj;
                w64[j] = w64[j] * st.decay() - st.stepSize() * m64[j] / (Math.sqrt(v64[j] * st.invBiasCorrection2()) + st.eps());
            }
        }
        float[] wGot = download(w);
        float[] mGot = download(m);
        for (int j = 0; j < n; j++) {
            // A few roundings per update, three updates: 16 ε of the terms' size.
            assertTrue(Math.abs(mGot[j] - m64[j]) <= 16 * Tolerances.EPS * Math.abs(g[j]) + Float.MIN_NORMAL,
                    "m[" + j + "] = " + mGot[j] + ", float64 " + m64[j]);
            assertTrue(Math.abs(wGot[j] - w64[j]) <= 16 * Tolerances.EPS * (Math.abs(w0[j]) + 0.05),
                    "w[" + j + "] = " + wGot[j] + ", float64 " + w64[j]);
        }
        double ss = 0;
        for (float x : g) {
            ss += (double) x * x;
        }
        assertEquals(ss, ops.sumOfSquares(dg), 1e-12 * ss, "sum of squares");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.adamW(w, dg, ops.allocate("m2", n - 1), v, new Ops.AdamWStep(0.9f, 0.99f, 0.01f, 1f, 1e-8f, 1f, 1f)));
        assertTrue(e.getMessage().contains("m2 has 1030 values"), e.getMessage());
    }

    /** Eight threads at once, each its own products and norms: the same bits as one thread alone. */
    /**
     * The scaled residual and its backward against float64, on strided views: {@code x} within two
     * roundings per element, {@code dy} within one, the scale's gradient (a sum over the rows added to a
     * start value) within the row-sum bound.
     */
    /**
     * The bias helpers and the recurrent weights' clip: a row laid over a strided view (nothing beside it
     * touched), column sums added to a vector (against float64), and a clamp that keeps NaN, bit for bit as
     * Java's {@code max(−l, min(l, v))}.
     */
    @Test
    void broadcastColumnSumsAndClampMatchTheirDefinitions() {
        int rows = 29;
        int width = 19;
        int ld = width + 4;
        float[] row = KitData.gaussian(width, 1, 91);
        float sentinel = -12345f;
        float[] dst = new float[2 + rows * ld];
        Arrays.fill(dst, sentinel);
        DeviceArray dRow = upload("row", row);
        DeviceArray dDst = upload("dst", dst);
        ops.broadcastRows(dRow, new Matrix(dDst, 2, rows, width, ld));
        float[] got = download(dDst);
        for (int i = 0; i < got.length; i++) {
            int r = (i - 2) / ld;
            int j = (i - 2) % ld;
            float want = i >= 2 && j < width && r < rows ? row[j] : sentinel;
            assertEquals(want, got[i], "broadcastRows element " + i);
        }
        float[] src = KitData.gaussian(3 + rows * ld, 1, 92);
        float[] acc0 = KitData.gaussian(width, 1, 93);
        DeviceArray dAcc = upload("acc", acc0);
        ops.addColumnSums(new Matrix(upload("src", src), 3, rows, width, ld), dAcc);
        float[] acc = download(dAcc);
        double[] delta = new double[width];
        float[] deltaGot = new float[width];
        for (int j = 0; j < width; j++) {
            for (int r = 0; r < rows; r++) {
                delta[j] += src[3 + r * ld + j];
            }
            deltaGot[j] = acc[j] - acc0[j];
        }
        within(Tolerances.rowSum(rows) + 4 * Tolerances.EPS * norm(acc0) / norm(delta), KitData.relError(deltaGot, delta),
                "addColumnSums");
        float limit = 0.5f;
        float[] v = {0f, -0f, 0.25f, -0.7f, 0.5f, 3f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0.5f, 1e-30f};
        DeviceArray dv = upload("A", v);
        ops.clamp(dv, limit);
        float[] clamped = download(dv);
        for (int i = 0; i < v.length; i++) {
            assertEquals(Float.floatToIntBits(Math.max(-limit, Math.min(limit, v[i]))), Float.floatToIntBits(clamped[i]),
                    "clamp of " + v[i] + " gave " + clamped[i]);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ops.clamp(dv, -1f));
        assertTrue(e.getMessage().contains("A") && e.getMessage().contains("-1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ops.addColumnSums(Matrix.of(dDst, rows, width), dRow.length() > 1
                ? upload("short", new float[width - 1]) : dRow));
        assertTrue(e.getMessage().contains("short has " + (width - 1) + " values for the " + width + " columns"), e.getMessage());
    }

    @Test
    void scaledResidualMatchesFloat64() {
        int rows = 37;
        int width = 21;
        int ld = width + 5;
        float[] y = KitData.gaussian(3 + rows * ld, 1, 81);
        float[] x = KitData.gaussian(rows * width, 1, 82);
        float[] scale = KitData.gaussian(width, 0.5, 83);
        float[] dx = KitData.gaussian(rows * width, 1, 84);
        float[] gs0 = KitData.gaussian(width, 1, 85);
        DeviceArray dyIn = upload("y", y);
        DeviceArray dsc = upload("scale", scale);
        DeviceArray dxArr = upload("x", x);
        Matrix ym = new Matrix(dyIn, 3, rows, width, ld);
        ops.scaledResidual(ym, dsc, Matrix.of(dxArr, rows, width));
        float[] got = download(dxArr);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                double prod = (double) scale[j] * y[3 + r * ld + j];
                double ref = x[r * width + j] + prod;
                assertTrue(Math.abs(got[r * width + j] - ref) <= 2 * Tolerances.EPS * (Math.abs(x[r * width + j]) + Math.abs(prod)),
                        "x[" + r + "][" + j + "] = " + got[r * width + j] + ", float64 " + ref);
            }
        }
        DeviceArray ddx = upload("dx", dx);
        DeviceArray ddy = ops.allocate("dy", rows * width);
        DeviceArray dgs = upload("gradScale", gs0);
        ops.scaledResidualBackward(ym, dsc, Matrix.of(ddx, rows, width), Matrix.of(ddy, rows, width), dgs);
        float[] dy = download(ddy);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < width; j++) {
                double ref = (double) dx[r * width + j] * scale[j];
                assertTrue(Math.abs(dy[r * width + j] - ref) <= Tolerances.EPS * Math.abs(ref), "dy[" + r + "][" + j + "]");
            }
        }
        float[] gs = download(dgs);
        double[] delta = new double[width];
        float[] deltaGot = new float[width];
        for (int j = 0; j < width; j++) {
            for (int r = 0; r < rows; r++) {
                delta[j] += (double) dx[r * width + j] * y[3 + r * ld + j];
            }
            deltaGot[j] = gs[j] - gs0[j];
        }
        within(Tolerances.rowSum(rows) + 4 * Tolerances.EPS * norm(gs0) / norm(delta), KitData.relError(deltaGot, delta),
                "scaledResidual gradScale");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ops.scaledResidual(ym, upload("short", new float[width - 1]), Matrix.of(dxArr, rows, width)));
        assertTrue(e.getMessage().contains("short has " + (width - 1) + " values for the " + width + " columns"), e.getMessage());
    }

    /**
     * Cross-entropy forward and gradient against float64: odd shapes, rows without a target, logits far
     * from zero (the log-sum-exp must shift), ties (the first arg-max wins), a z-loss, logits inside a wider
     * array; the gradient out of place and in place, bit for bit the same.
     */
    @ParameterizedTest(name = "rows={0} classes={1}")
    @CsvSource({"1, 1", "7, 5", "130, 65", "33, 300"})
    void crossEntropyMatchesFloat64(int rows, int v) {
        int ld = v + 3;
        int off = 2;
        float[] x = KitData.gaussian(off + rows * ld, 3, 61L * rows + v);
        int[] targets = new int[rows];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(rows * 7L + v);
        for (int r = 0; r < rows; r++) {
            targets[r] = r % 5 == 3 ? -1 : rnd.nextInt(v);
            if (r % 7 == 2) {
                for (int j = 0; j < v; j++) {
                    x[off + r * ld + j] += 40f; // large logits: exp without a shift overflows float
                }
            }
            if (r % 11 == 4 && v > 1) {
                x[off + r * ld + v - 1] = x[off + r * ld]; // a tie with column 0 (which must win unless beaten)
            }
        }
        DeviceArray dx = upload("logits", x);
        DeviceInts dt = ops.allocateInts("targets", rows);
        ops.uploadInts(targets, 0, dt, 0, rows);
        DeviceInts pred = ops.allocateInts("predictions", rows);
        Matrix lg = new Matrix(dx, off, rows, v, ld);
        Ops.CrossEntropySums sums = ops.crossEntropy(lg, dt, pred);
        double[] ref = OpsReference.crossEntropy(x, off, ld, targets, rows, v);
        assertEquals((int) ref[2], sums.counted(), "counted rows");
        assertTrue(Math.abs(sums.crossEntropy() - ref[0]) <= Tolerances.LOSS_SUMS * ref[3] + Double.MIN_NORMAL,
                "cross-entropy sum " + sums.crossEntropy() + ", float64 " + ref[0]);
        assertTrue(Math.abs(sums.logSumExpSquares() - ref[1]) <= Tolerances.LOSS_SUMS * ref[3] + Double.MIN_NORMAL,
                "log-sum-exp squares " + sums.logSumExpSquares() + ", float64 " + ref[1]);
        int[] got = new int[rows];
        ops.downloadInts(pred, 0, got, 0, rows);
        for (int r = 0; r < rows; r++) {
            int arg = 0;
            for (int j = 1; j < v; j++) {
                if (x[off + r * ld + j] > x[off + r * ld + arg]) {
                    arg = j;
                }
            }
            assertEquals(arg, got[r], "prediction of row " + r);
        }
        float zLoss = 1e-3f;
        int counted = sums.counted();
        DeviceArray dg = ops.allocate("dLogits", rows * v);
        ops.crossEntropyBackward(lg, dt, zLoss, counted, Matrix.of(dg, rows, v));
        float[] g = download(dg);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < v; j++) {
                double[] want = OpsReference.crossEntropyGradient(x, off, ld, targets, zLoss, counted, r, j, v);
                double err = Math.abs(g[r * v + j] - want[0]);
                assertTrue(err <= Tolerances.EPS * Math.abs(want[0]) + Tolerances.LOSS_GRADIENT_DOUBLE * want[1] + Float.MIN_VALUE,
                        "dLogits[" + r + "][" + j + "] = " + g[r * v + j] + ", float64 " + want[0]);
            }
        }
        ops.crossEntropyBackward(lg, dt, zLoss, counted, lg);
        float[] inPlace = download(dx);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < v; j++) {
                assertEquals(g[r * v + j], inPlace[off + r * ld + j], "in place differs at [" + r + "][" + j + "]");
            }
        }
    }

    /** A target outside the vocabulary (and not −1) is refused naming it and its position; nothing is written. */
    @Test
    void crossEntropyRefusesATargetOutsideTheVocabulary() {
        int rows = 6;
        int v = 5;
        float[] x = KitData.gaussian(rows * v, 1, 71);
        for (int bad : new int[] {5, -2}) {
            int[] targets = {0, 1, -1, bad, 2, 3};
            DeviceArray dx = upload("logits", x);
            DeviceInts dt = ops.allocateInts("targets", rows);
            ops.uploadInts(targets, 0, dt, 0, rows);
            DeviceInts pred = ops.allocateInts("predictions", rows);
            ops.uploadInts(new int[] {9, 9, 9, 9, 9, 9}, 0, pred, 0, rows);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ops.crossEntropy(Matrix.of(dx, rows, v), dt, pred));
            assertTrue(e.getMessage().contains("target " + bad + " at position 3"), e.getMessage());
            int[] p = new int[rows];
            ops.downloadInts(pred, 0, p, 0, rows);
            assertArrayEquals(new int[] {9, 9, 9, 9, 9, 9}, p, "predictions written by a refused call");
            e = assertThrows(IllegalArgumentException.class,
                    () -> ops.crossEntropyBackward(Matrix.of(dx, rows, v), dt, 0f, 5, Matrix.of(dx, rows, v)));
            assertTrue(e.getMessage().contains("target " + bad + " at position 3"), e.getMessage());
            assertArrayEquals(x, download(dx), "logits written by a refused call");
        }
    }

    @Test
    void eightThreadsAtOnceGetTheBitsOfOne() throws Exception {
        int rows = 160;
        int width = 96; // 160·96·96 multiply-adds: past the cpu ops' OpenBLAS threshold
        float[] x = KitData.gaussian(rows * width, 1, 51);
        float[] w = KitData.gaussian(width * width, 0.1, 52);
        float[] g = KitData.gaussian(width, 1, 53);
        java.util.function.Supplier<float[]> one = () -> {
            DeviceArray dxIn = upload("x", x);
            DeviceArray dw = upload("w", w);
            DeviceArray h = ops.allocate("h", rows * width);
            DeviceArray y = ops.allocate("y", rows * width);
            ops.matmul(Matrix.of(dxIn, rows, width), false, Matrix.of(dw, width, width), true, 1f, 0f, Matrix.of(h, rows, width));
            ops.rmsNorm(Matrix.of(h, rows, width), upload("g", g), Matrix.of(y, rows, width), ops.allocate("inv", rows));
            int[] targets = new int[rows];
            for (int r = 0; r < rows; r++) {
                targets[r] = (r * 7) % width;
            }
            DeviceInts dt = ops.allocateInts("targets", rows);
            ops.uploadInts(targets, 0, dt, 0, rows);
            Ops.CrossEntropySums sums = ops.crossEntropy(Matrix.of(y, rows, width), dt, ops.allocateInts("predictions", rows));
            ops.crossEntropyBackward(Matrix.of(y, rows, width), dt, 1e-3f, sums.counted(), Matrix.of(h, rows, width));
            float[] out = java.util.Arrays.copyOf(download(y), 2 * rows * width + 1);
            System.arraycopy(download(h), 0, out, rows * width, rows * width);
            out[2 * rows * width] = (float) sums.crossEntropy();
            return out;
        };
        float[] alone = one.get();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<float[]>> runs = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                runs.add(pool.submit(one::get));
            }
            for (java.util.concurrent.Future<float[]> f : runs) {
                assertArrayEquals(alone, f.get(), "a thread's result differs from one thread alone");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
