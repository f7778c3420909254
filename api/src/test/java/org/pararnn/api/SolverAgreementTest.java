package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.toy.DenseTanhCell;
import org.pararnn.api.toy.Float64Reference;
import org.pararnn.api.toy.TanhBlockCell;
import org.pararnn.api.toy.ToyCell;

/**
 * Sequential, generic Newton on the plain scan, and generic Newton with real threads agree with each
 * other and with an independent float64 forward, and their backward passes agree with float64 finite
 * differences.
 *
 * <p>Tolerances: forward {@code 1e-5} relative L2 against float64 for every mode (the bound,
 * T ≤ 4096); backward modes against each other {@code 1e-5}; analytic gradients against central finite
 * differences of the float64 loss {@code 2e-3} relative per sampled entry (the float32 gradient's own
 * error is ~1e-6 relative; the bound leaves room for float64 FD truncation with step 1e-4).
 */
class SolverAgreementTest {
    static final double FORWARD_TOL = 1e-5;
    static final double BACKWARD_TOL = 1e-5;
    static final double FD_TOL = 2e-3;
    static final Backend THREADED = Fixtures.threaded();

    @AfterAll
    static void close() {
        THREADED.close();
    }

    static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (int steps : new int[] {1, 2, 17, 257, 4096}) {
            for (int batch : new int[] {1, 3}) {
                out.add(new Object[] {"diagonal", new TanhBlockCell(5, 1, 7, 0.9, 1 + steps), batch, steps});
                out.add(new Object[] {"block2", new TanhBlockCell(4, 2, 5, 0.6, 2 + steps), batch, steps});
                out.add(new Object[] {"dense", new DenseTanhCell(3, 6, 0.8, 3 + steps), batch, steps});
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} B={2} T={3}")
    @MethodSource("cases")
    void forwardModesAgreeWithFloat64(String name, ToyCell cell, int batch, int steps) {
        float[] x = Fixtures.gaussian(batch * steps * cell.inputWidth(), 1, steps * 7L);
        float[] h0 = Fixtures.gaussian(batch * cell.stateWidth(), 0.5, 99);
        double[] ref = Float64Reference.forward(cell, x, batch, steps, h0);
        for (Backend backend : new Backend[] {Fixtures.reference(), THREADED}) {
            for (Mode mode : new Mode[] {Mode.SEQUENTIAL, Mode.PARALLEL}) {
                ForwardPass fp = RnnSolver.on(backend).mode(mode).forward(cell, x, batch, steps, h0);
                double err = Fixtures.relativeError(fp.states(), ref);
                String what = name + " " + mode + " on " + backend.name() + ": " + fp.report();
                assertTrue(err <= FORWARD_TOL, what + " relative error " + err);
                assertTrue(fp.report().converged(), what);
                assertEquals(mode, fp.report().used(), what);
                if (mode == Mode.PARALLEL) {
                    assertTrue(fp.report().iterations() <= steps, what);
                    assertTrue(fp.report().finalResidual() <= 1e-6 * 2, what);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} B={2} T={3}")
    @MethodSource("cases")
    void backwardModesAgreeAndMatchFiniteDifferences(String name, ToyCell cell, int batch, int steps) {
        if (steps > 257) {
            return; // finite differences over 4096 steps cost minutes; the agreement at T=257 covers the code paths
        }
        int n = cell.inputWidth();
        int s = cell.stateWidth();
        float[] x = Fixtures.gaussian(batch * steps * n, 1, steps * 5L);
        float[] h0 = Fixtures.gaussian(batch * s, 0.5, 98);
        float[] gy = Fixtures.gaussian(batch * steps * s, 1, 97);

        BackwardPass[] passes = new BackwardPass[4];
        int i = 0;
        for (Backend backend : new Backend[] {Fixtures.reference(), THREADED}) {
            for (Mode mode : new Mode[] {Mode.SEQUENTIAL, Mode.PARALLEL}) {
                RnnSolver solver = RnnSolver.on(backend).mode(mode);
                passes[i++] = solver.backward(solver.forward(cell, x, batch, steps, h0), gy, null, Gradients.of(cell));
            }
        }
        BackwardPass base = passes[0];
        for (int k = 1; k < passes.length; k++) {
            BackwardPass other = passes[k];
            assertTrue(Fixtures.relativeError(other.gradInput(), base.gradInput()) <= BACKWARD_TOL, "gradInput " + k);
            assertTrue(Fixtures.relativeError(other.gradInitialState(), base.gradInitialState()) <= BACKWARD_TOL, "gradH0 " + k);
            for (int p = 0; p < base.gradients().count(); p++) {
                double err = Fixtures.relativeError(other.gradients().get(p).data(), base.gradients().get(p).data());
                assertTrue(err <= BACKWARD_TOL, base.gradients().get(p).name() + " pass " + k + " error " + err);
            }
        }

        Random pick = new Random(steps);
        for (int trial = 0; trial < 4; trial++) {
            int xi = pick.nextInt(x.length);
            assertFiniteDifference("x[" + xi + "]", base.gradInput()[xi], x, xi,
                    () -> Float64Reference.loss(cell, x, batch, steps, h0, gy));
            int hi = pick.nextInt(h0.length);
            assertFiniteDifference("h0[" + hi + "]", base.gradInitialState()[hi], h0, hi,
                    () -> Float64Reference.loss(cell, x, batch, steps, h0, gy));
            for (Tensor param : cell.parameters()) {
                int pi = pick.nextInt(param.size());
                assertFiniteDifference(param.name() + "[" + pi + "]", base.gradients().get(param.name()).data()[pi],
                        param.data(), pi, () -> Float64Reference.loss(cell, x, batch, steps, h0, gy));
            }
        }
    }

    /** Central difference of the float64 loss in one float32 entry (restored afterwards). */
    static void assertFiniteDifference(String what, float analytic, float[] array, int index,
                                       java.util.function.DoubleSupplier loss) {
        float saved = array[index];
        float eps = 1e-4f * Math.max(1f, Math.abs(saved));
        array[index] = saved + eps;
        double up = loss.getAsDouble();
        array[index] = saved - eps;
        double down = loss.getAsDouble();
        array[index] = saved;
        double h = ((double) (saved + eps) - (double) (saved - eps));
        double fd = (up - down) / h;
        double err = Math.abs(analytic - fd) / Math.max(Math.abs(fd), 1e-2);
        assertTrue(err <= FD_TOL, what + ": analytic " + analytic + " vs finite difference " + fd + " (err " + err + ")");
    }
}
