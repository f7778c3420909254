package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.reference.ReferenceScan;
import org.pararnn.api.spi.ScanProblem;

/**
 * The plain scan against a float64 recurrence built from explicit dense matrices
 * ({@link JacobianStructureTest#toDense}); tolerance {@code 1e-5} relative L2 (float32 with contractive
 * coefficients, the error stays at a few ulps whatever T is).
 */
class ReferenceScanTest {
    static final double TOL = 1e-5;
    final ReferenceScan scan = new ReferenceScan();

    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        JacobianStructure[] structures = {JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.blockDiagonal(3), JacobianStructure.dense()};
        int[] widths = {5, 6, 9, 4};
        for (int i = 0; i < structures.length; i++) {
            for (int steps : new int[] {1, 2, 31, 1000}) {
                out.add(new Object[] {structures[i], widths[i], steps, 3});
            }
        }
        return out;
    }

    /** Contractive random coefficients: each step's dense matrix has norm below one. */
    static float[] coefficients(JacobianStructure st, int batch, int steps, int s, long seed) {
        float[] a = Fixtures.gaussian(batch * steps * st.coefficientsPerStep(s), 1, seed);
        double scale = st instanceof JacobianStructure.Dense ? 0.9 / Math.sqrt(s) / 2
                : st instanceof JacobianStructure.BlockDiagonal bd ? 0.45 / bd.blocks() : 0.45;
        for (int i = 0; i < a.length; i++) {
            a[i] *= (float) scale;
        }
        return a;
    }

    static double[] forward64(JacobianStructure st, int batch, int steps, int s, float[] a, float[] b, float[] init,
                              int from, int to) {
        double[] out = new double[b.length];
        int c = st.coefficientsPerStep(s);
        for (int bi = 0; bi < batch; bi++) {
            double[] h = new double[s];
            if (init != null) {
                for (int i = 0; i < s; i++) {
                    h[i] = init[bi * s + i];
                }
            }
            for (int t = from; t < to; t++) {
                int row = bi * steps + t;
                float[] at = java.util.Arrays.copyOfRange(a, row * c, row * c + c);
                double[][] m = JacobianStructureTest.toDense(st, at, s);
                double[] nh = new double[s];
                for (int r = 0; r < s; r++) {
                    double acc = b[row * s + r];
                    for (int k = 0; k < s; k++) {
                        acc += m[r][k] * h[k];
                    }
                    nh[r] = acc;
                }
                h = nh;
                System.arraycopy(h, 0, out, row * s, s);
            }
        }
        return out;
    }

    static double[] reverse64(JacobianStructure st, int batch, int steps, int s, float[] a, float[] b) {
        double[] out = new double[b.length];
        int c = st.coefficientsPerStep(s);
        for (int bi = 0; bi < batch; bi++) {
            double[] l = null;
            for (int t = steps - 1; t >= 0; t--) {
                int row = bi * steps + t;
                double[] nl = new double[s];
                for (int r = 0; r < s; r++) {
                    nl[r] = b[row * s + r];
                }
                if (l != null) {
                    float[] an = java.util.Arrays.copyOfRange(a, (row + 1) * c, (row + 2) * c);
                    double[][] m = JacobianStructureTest.toDense(st, an, s);
                    for (int r = 0; r < s; r++) {
                        for (int k = 0; k < s; k++) {
                            nl[r] += m[k][r] * l[k];
                        }
                    }
                }
                l = nl;
                System.arraycopy(l, 0, out, row * s, s);
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} S={1} T={2} B={3}")
    @MethodSource("cases")
    void forwardAndReverseMatchFloat64(JacobianStructure st, int s, int steps, int batch) {
        float[] a = coefficients(st, batch, steps, s, 11);
        float[] b = Fixtures.gaussian(batch * steps * s, 1, 12);
        float[] init = Fixtures.gaussian(batch * s, 1, 13);
        float[] out = new float[b.length];
        scan.forward(ScanProblem.whole(st, batch, steps, s, a, b, init, out));
        double err = Fixtures.relativeError(out, forward64(st, batch, steps, s, a, b, init, 0, steps));
        assertTrue(err <= TOL, "forward relative error " + err);

        float[] rev = new float[b.length];
        scan.reverse(ScanProblem.whole(st, batch, steps, s, a, b, null, rev));
        double errR = Fixtures.relativeError(rev, reverse64(st, batch, steps, s, a, b));
        assertTrue(errR <= TOL, "reverse relative error " + errR);
    }

    @Test
    void inPlaceAndWindowedForwardEqualTheWholeSolve() {
        JacobianStructure st = JacobianStructure.blockDiagonal(2);
        int batch = 2, steps = 50, s = 6;
        float[] a = coefficients(st, batch, steps, s, 1);
        float[] b = Fixtures.gaussian(batch * steps * s, 1, 2);
        float[] whole = new float[b.length];
        scan.forward(ScanProblem.whole(st, batch, steps, s, a, b, null, whole));

        float[] inPlace = b.clone();
        scan.forward(ScanProblem.whole(st, batch, steps, s, a, inPlace, null, inPlace));
        assertArrayEquals(whole, inPlace);

        // Two windows: the second starts from the first one's last state.
        float[] windowed = new float[b.length];
        scan.forward(new ScanProblem(st, batch, steps, s, 0, 20, a, b, null, windowed));
        float[] carry = new float[batch * s];
        for (int bi = 0; bi < batch; bi++) {
            System.arraycopy(windowed, (bi * steps + 19) * s, carry, bi * s, s);
        }
        scan.forward(new ScanProblem(st, batch, steps, s, 20, steps, a, b, carry, windowed));
        assertArrayEquals(whole, windowed);
    }

    @Test
    void reverseWindowWithCarryEqualsTheWholeSolve() {
        JacobianStructure st = JacobianStructure.dense();
        int batch = 2, steps = 40, s = 3;
        float[] a = coefficients(st, batch, steps, s, 5);
        float[] b = Fixtures.gaussian(batch * steps * s, 1, 6);
        float[] whole = new float[b.length];
        scan.reverse(ScanProblem.whole(st, batch, steps, s, a, b, null, whole));
        float[] windowed = new float[b.length];
        scan.reverse(new ScanProblem(st, batch, steps, s, 25, steps, a, b, null, windowed));
        float[] carry = new float[batch * s];
        for (int bi = 0; bi < batch; bi++) {
            System.arraycopy(windowed, (bi * steps + 25) * s, carry, bi * s, s);
        }
        scan.reverse(new ScanProblem(st, batch, steps, s, 0, 25, a, b, carry, windowed));
        assertArrayEquals(whole, windowed);
    }

    @Test
    void badProblemsAreRejectedNamingTheArgument() {
        JacobianStructure d = JacobianStructure.diagonal();
        float[] ok = new float[12];
        var e = assertThrows(IllegalArgumentException.class,
                () -> ScanProblem.whole(d, 2, 3, 2, new float[11], ok, null, ok));
        assertEquals("a has 11 values, expected 12 for shape [2][3][2] (diagonal)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScanProblem.whole(d, 2, 3, 2, ok, ok, new float[3], ok));
        assertEquals("init has 3 values, expected 4 for shape [2][2]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScanProblem.whole(d, 0, 3, 2, ok, ok, null, ok));
        assertEquals("batch must be positive, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ScanProblem(d, 2, 3, 2, 2, 2, ok, ok, null, ok));
        assertTrue(e.getMessage().startsWith("window [2, 2) is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> scan.reverse(ScanProblem.whole(d, 2, 3, 2, ok, ok, new float[4], ok)));
        assertTrue(e.getMessage().contains("no A_T"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ScanProblem.whole(JacobianStructure.blockDiagonal(2), 1, 1, 3, new float[6], new float[3], null, new float[3]));
        assertTrue(e.getMessage().contains("not a multiple"), e.getMessage());
    }
}
