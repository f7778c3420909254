package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.toy.DenseTanhCell;
import org.pararnn.api.toy.Float64Reference;
import org.pararnn.api.toy.SineCell;
import org.pararnn.api.toy.TanhBlockCell;
import org.pararnn.api.toy.ToyCell;

/** ELK and quasi-ELK through {@link RnnSolver}: agreement, the trust region's use, and honest reports. */
class ElkTest {
    final Backend backend = Fixtures.threaded();

    static NewtonOptions elk(boolean quasi) {
        return NewtonOptions.defaults().withQuasi(quasi).withElk(1f);
    }

    @Test
    void elkAndQuasiElkMatchFloat64OnEveryStructure() {
        ToyCell[] cells = {new TanhBlockCell(3, 1, 8, 1.0, 5), new TanhBlockCell(3, 2, 4, 1.0, 6), new DenseTanhCell(3, 8, 1.0, 7)};
        int steps = 160;
        for (ToyCell cell : cells) {
            float[] x = Fixtures.gaussian(2 * steps * 3, 1, 3);
            float[] h0 = Fixtures.gaussian(2 * cell.stateWidth(), 0.5, 4);
            for (boolean quasi : new boolean[] {false, true}) {
                // quasi on the dense cell needs more than the default 32 iterations, as quasi-Newton does
                NewtonOptions opts = elk(quasi).withMaxIterations(steps);
                ForwardPass fp = RnnSolver.on(backend).mode(Mode.PARALLEL).newton(opts).forward(cell, x, 2, steps, h0);
                SolveReport r = fp.report();
                assertTrue(r.converged() && !r.fellBack(), cell.type() + " " + r);
                assertTrue(r.detail().startsWith(quasi ? "quasi-ELK" : "ELK"), r.detail());
                double err = Fixtures.relativeError(fp.states(), Float64Reference.forward(cell, x, 2, steps, h0));
                assertTrue(err <= 1e-5, cell.type() + (quasi ? " quasi" : "") + ": error " + err + " " + r);
            }
        }
    }

    @Test
    void aVanishingTrustRegionTakesNewtonsSteps() {
        // λ → 0 turns the smoother into Newton's scan: same iterates, so the same count and the same states.
        ToyCell[] cells = {new TanhBlockCell(3, 1, 8, 1.5, 5), new TanhBlockCell(3, 2, 4, 1.5, 6), new DenseTanhCell(3, 8, 1.5, 7)};
        int steps = 200;
        for (ToyCell cell : cells) {
            float[] x = Fixtures.gaussian(steps * 3, 1, 8);
            RnnSolver solver = RnnSolver.on(backend).mode(Mode.PARALLEL);
            NewtonOptions deer = NewtonOptions.defaults().withMaxIterations(steps).withGrowthPatience(steps + 1);
            ForwardPass newton = solver.newton(deer).forward(cell, x, 1, steps);
            ForwardPass tiny = solver.newton(deer.withElk(1e-8f)).forward(cell, x, 1, steps);
            assertTrue(newton.report().converged() && tiny.report().converged(), newton.report() + " / " + tiny.report());
            assertEquals(newton.report().iterations(), tiny.report().iterations(), cell.type() + ": " + tiny.report());
            assertTrue(Fixtures.relativeError(tiny.states(), newton.states()) <= 1e-5, cell.type());
        }
    }

    /** {@code max_t ‖h_t − f(h_{t−1})‖_∞} of returned states from {@code h0}, recomputed step by step in float64. */
    static double selfResidual(ToyCell cell, float[] x, int batch, int steps, float[] h0, float[] states) {
        int s = cell.stateWidth();
        int n = cell.inputWidth();
        double worst = 0;
        for (int b = 0; b < batch; b++) {
            double[] prev = new double[s];
            for (int i = 0; i < s && h0 != null; i++) {
                prev[i] = h0[b * s + i];
            }
            for (int t = 0; t < steps; t++) {
                double[] xt = new double[n];
                for (int k = 0; k < n; k++) {
                    xt[k] = x[(b * steps + t) * n + k];
                }
                double[] u = cell.projectDouble(xt);
                double[] f = cell.stepDouble(prev, u);
                for (int i = 0; i < s; i++) {
                    double h = states[(b * steps + t) * s + i];
                    worst = Math.max(worst, Math.abs(h - f[i]) / Math.max(1, Math.abs(f[i])));
                    prev[i] = h;
                }
            }
        }
        return worst;
    }

    @Test
    void unstableCellsFinishWithElkWhereNewtonOverflows() {
        // Recurrent gains of 2 (2×2 blocks) and a sine map: Newton's linear solves overflow float at the first step.
        ToyCell[] cells = {new TanhBlockCell(3, 2, 4, 2.0, 5), new SineCell(2, 4, 3f, 7)};
        int[] lengths = {1024, 256};
        for (int c = 0; c < cells.length; c++) {
            ToyCell cell = cells[c];
            int steps = lengths[c];
            float[] x = Fixtures.gaussian(2 * steps * cell.inputWidth(), 1, 3);
            RnnSolver solver = RnnSolver.on(backend).mode(Mode.PARALLEL);
            NewtonOptions budget = NewtonOptions.defaults().withMaxIterations(steps).withOnFailure(NewtonOptions.OnFailure.REPORT);
            SolveReport deer = solver.newton(budget.withGrowthPatience(steps + 1)).forward(cell, x, 2, steps).report();
            assertFalse(deer.converged(), deer.toString());
            assertTrue(deer.fallbackReason().startsWith("non-finite residual"), deer.toString());
            for (boolean quasi : new boolean[] {false, true}) {
                ForwardPass fp = solver.newton(budget.withQuasi(quasi).withElk(1f)).forward(cell, x, 2, steps);
                SolveReport r = fp.report();
                assertTrue(r.converged() && !r.fellBack(), r.toString());
                assertTrue(r.iterations() <= steps, r.toString());
                assertTrue(Arrays.stream(r.residuals()).allMatch(Double::isFinite), r.toString());
                assertTrue(selfResidual(cell, x, 2, steps, null, fp.states()) <= 4e-6, cell.type() + " " + r);
            }
        }
    }

    @Test
    void anUnconvergedElkIsNeverReportedConverged() {
        ToyCell cell = new SineCell(2, 4, 3f, 7);
        int steps = 256;
        float[] x = Fixtures.gaussian(steps * 2, 1, 9);
        RnnSolver solver = RnnSolver.on(backend).mode(Mode.PARALLEL);
        NewtonOptions five = elk(false).withMaxIterations(5);
        ForwardPass reported = solver.newton(five.withOnFailure(NewtonOptions.OnFailure.REPORT)).forward(cell, x, 1, steps);
        assertFalse(reported.report().converged());
        assertFalse(reported.report().fellBack());
        assertEquals("not converged after 5 iterations", reported.report().fallbackReason());
        assertTrue(selfResidual(cell, x, 1, steps, null, reported.states()) > 1e-3, "the last iterate is not a solution");
        ForwardPass fellBack = solver.newton(five).forward(cell, x, 1, steps);
        assertTrue(fellBack.report().fellBack(), fellBack.report().toString());
        assertTrue(fellBack.report().fallbackFromStep() >= 5, "each ELK step makes a leading state exact: " + fellBack.report());
        assertTrue(selfResidual(cell, x, 1, steps, null, fellBack.states()) <= 4e-6);
        assertThrows(SolveFailedException.class,
                () -> solver.newton(five.withOnFailure(NewtonOptions.OnFailure.THROW)).forward(cell, x, 1, steps));
    }

    @Test
    void optionsAndModesSayWhatElkCannotBe() {
        IllegalArgumentException damped = assertThrows(IllegalArgumentException.class,
                () -> NewtonOptions.defaults().withDamping(0.5f).withElk(1f));
        assertTrue(damped.getMessage().contains("exclude each other"), damped.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NewtonOptions.defaults().withElk(-1f));
        assertThrows(IllegalArgumentException.class, () -> NewtonOptions.defaults().withElk(Float.NaN));
        assertEquals("DEER", NewtonOptions.defaults().method());
        assertEquals("quasi-ELK", elk(true).method());

        ToyCell cell = new TanhBlockCell(3, 1, 4, 1.0, 5);
        float[] x = Fixtures.gaussian(16 * 3, 1, 3);
        UnsupportedOperationException fused = assertThrows(UnsupportedOperationException.class,
                () -> RnnSolver.on(backend).mode(Mode.FUSED).newton(elk(false)).forward(cell, x, 1, 16));
        assertTrue(fused.getMessage().contains("not the ELK"), fused.getMessage());
        SolveReport auto = RnnSolver.on(backend).newton(elk(false)).forward(cell, x, 1, 16).report();
        assertEquals(Mode.PARALLEL, auto.used());
        assertTrue(auto.detail().contains("AUTO: ELK asked for"), auto.detail());
    }
}
