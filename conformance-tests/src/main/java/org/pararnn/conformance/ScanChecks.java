package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.Cell;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.ScanProblem;

abstract class ScanChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @ParameterizedTest(name = "forward {0}")
    @MethodSource("org.pararnn.conformance.ScanCase#all")
    void forward(ScanCase c, TestReporter reporter) {
        assumeTrue(backend().scan().supports(c.structure()), () -> backend().name() + " does not claim " + c.structure().describe());
        float[] a = c.coefficients(c.steps() * 31L + c.batch());
        float[] b = KitData.gaussian(c.batch() * c.steps() * c.width(), 1, 7);
        float[] init = KitData.gaussian(c.batch() * c.width(), 1, 8);
        float[] out = new float[b.length];
        backend().scan().forward(ScanProblem.whole(c.structure(), c.batch(), c.steps(), c.width(), a, b, init, out));
        double err = KitData.relError(out, Float64Scan.forward(c.structure(), c.batch(), c.steps(), c.width(), 0,
                c.steps(), a, b, init));
        publish(reporter, "error", err);
        within(Tolerances.scan(c.steps()), err, "forward " + c);
    }

    @ParameterizedTest(name = "reverse {0}")
    @MethodSource("org.pararnn.conformance.ScanCase#all")
    void reverse(ScanCase c, TestReporter reporter) {
        assumeTrue(backend().scan().supports(c.structure()), () -> backend().name() + " does not claim " + c.structure().describe());
        float[] a = c.coefficients(c.steps() * 17L + c.batch());
        float[] b = KitData.gaussian(c.batch() * c.steps() * c.width(), 1, 9);
        float[] out = new float[b.length];
        backend().scan().reverse(ScanProblem.whole(c.structure(), c.batch(), c.steps(), c.width(), a, b, null, out));
        double err = KitData.relError(out, Float64Scan.reverse(c.structure(), c.batch(), c.steps(), c.width(), 0,
                c.steps(), a, b, null));
        publish(reporter, "error", err);
        within(Tolerances.scan(c.steps()), err, "reverse " + c);
    }

    /**
     * The scan cases above are strongly contractive, so a chunk's transfer product all but vanishes and
     * a wrong carry would barely show. Here every coefficient is within 3 % of ±1 (small couplings off
     * the block diagonal), so each chunk boundary carries real weight, forward and reverse.
     */
    @Test
    void persistentCoefficientsCarryExactlyAcrossChunks(TestReporter reporter) {
        double worst = 0;
        for (JacobianStructure st : List.of(JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.blockDiagonal(3), JacobianStructure.blockDiagonal(5), JacobianStructure.dense())) {
            if (!backend().scan().supports(st)) {
                continue;
            }
            int width = st instanceof JacobianStructure.Dense ? 6 : 30;
            for (int batch : new int[] {1, 3}) {
                int steps = 3001;
                float[] a = ScanCase.persistent(st, batch, steps, width, 11 + batch);
                float[] b = KitData.gaussian(batch * steps * width, 1, 12);
                float[] init = KitData.gaussian(batch * width, 1, 13);
                float[] out = new float[b.length];
                backend().scan().forward(ScanProblem.whole(st, batch, steps, width, a, b, init, out));
                double e = KitData.relError(out, Float64Scan.forward(st, batch, steps, width, 0, steps, a, b, init));
                within(Tolerances.PERSISTENT_SCAN, e, "forward " + st.describe() + " B=" + batch);
                worst = Math.max(worst, e);
                backend().scan().reverse(ScanProblem.whole(st, batch, steps, width, a, b, null, out));
                e = KitData.relError(out, Float64Scan.reverse(st, batch, steps, width, 0, steps, a, b, null));
                within(Tolerances.PERSISTENT_SCAN, e, "reverse " + st.describe() + " B=" + batch);
                worst = Math.max(worst, e);
            }
        }
        publish(reporter, "error", worst);
    }

    @Test
    void windowsCarriesAndInPlaceSolves(TestReporter reporter) {
        for (JacobianStructure st : List.of(JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.blockDiagonal(3), JacobianStructure.dense())) {
            if (!backend().scan().supports(st)) {
                continue;
            }
            int s = st instanceof JacobianStructure.BlockDiagonal bd ? bd.blocks() * 5 : 6;
            ScanCase c = new ScanCase(st, s, 3, 5000);
            float[] a = c.coefficients(5);
            float[] b = KitData.gaussian(3 * 5000 * s, 1, 6);
            float[] init = KitData.gaussian(3 * s, 1, 7);
            float[] carry = KitData.gaussian(3 * s, 1, 8);
            float[] sentinel = KitData.gaussian(b.length, 1, 9);

            float[] out = sentinel.clone();
            backend().scan().forward(new ScanProblem(st, 3, 5000, s, 1234, 4321, a, b, init, out));
            double[] want = Float64Scan.forward(st, 3, 5000, s, 1234, 4321, a, b, init);
            checkWindow(out, sentinel, want, 5000, s, 1234, 4321, st.describe() + " forward window");

            out = sentinel.clone();
            backend().scan().reverse(new ScanProblem(st, 3, 5000, s, 777, 3000, a, b, carry, out));
            want = Float64Scan.reverse(st, 3, 5000, s, 777, 3000, a, b, carry);
            checkWindow(out, sentinel, want, 5000, s, 777, 3000, st.describe() + " reverse window with carry");

            float[] inPlace = b.clone();
            float[] separate = new float[b.length];
            backend().scan().forward(ScanProblem.whole(st, 3, 5000, s, a, inPlace, init, inPlace));
            backend().scan().forward(ScanProblem.whole(st, 3, 5000, s, a, b, init, separate));
            assertArrayEquals(separate, inPlace, st.describe() + ": in-place forward differs from out-of-place");
            inPlace = b.clone();
            backend().scan().reverse(ScanProblem.whole(st, 3, 5000, s, a, inPlace, null, inPlace));
            backend().scan().reverse(ScanProblem.whole(st, 3, 5000, s, a, b, null, separate));
            assertArrayEquals(separate, inPlace, st.describe() + ": in-place reverse differs from out-of-place");
        }
    }

    private void checkWindow(float[] out, float[] sentinel, double[] want, int steps, int s, int from, int to,
                             String what) {
        int batch = out.length / (steps * s);
        float[] inside = new float[batch * (to - from) * s];
        double[] wantInside = new double[inside.length];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int row = (b * steps + t) * s;
                if (t >= from && t < to) {
                    int dst = (b * (to - from) + t - from) * s;
                    System.arraycopy(out, row, inside, dst, s);
                    System.arraycopy(want, row, wantInside, dst, s);
                } else {
                    for (int i = 0; i < s; i++) {
                        assertEquals(sentinel[row + i], out[row + i], what + ": wrote outside its window at t=" + t);
                    }
                }
            }
        }
        within(Tolerances.scan(to - from), KitData.relError(inside, wantInside), what);
    }

    @Test
    void unsupportedStructuresAreRefusedClearly() {
        assumeTrue(!backend().scan().supports(JacobianStructure.dense()), "the backend claims the dense structure");
        Cell cell = new org.pararnn.cells.DenseGRU(2, 3);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> RnnSolver.on(backend()).mode(Mode.PARALLEL).forward(cell, new float[2 * 5 * 2], 2, 5));
        assertTrue(e.getMessage().contains("dense"), e.getMessage());
    }
}
