package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Cell;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.NewtonOutcome;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;

abstract class ReportChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @Test
    void parallelReportsAreHonest() {
        ParaGRU cell = ParaGRU.create(8, 13, 1, 9);
        int steps = 2048;
        float[] x = KitData.gaussian(2 * steps * 8, 1, 10);
        for (RnnSolver solver : solversFor(backend(), cell)) {
            if (solver.mode() == Mode.SEQUENTIAL || solver.mode() == Mode.AUTO) {
                continue;
            }
            ForwardPass f = solver.forward(cell, x, 2, steps);
            SolveReport r = f.report();
            String what = label(solver) + " " + r;
            assertEquals(solver.mode(), r.used(), what);
            assertTrue(r.converged(), what);
            assertEquals(backend().name(), r.backend(), what);
            double[] res = r.residuals();
            if (solver.mode() == Mode.FUSED && r.iterations() == 0) {
                // A fused kernel may run sequentially in time: then it measures no residual.
                assertEquals(0, res.length, what);
            } else {
                assertTrue(r.iterations() >= 1 && r.iterations() <= steps, what);
                assertEquals(r.iterations() + 1, res.length, what + ": one residual per iterate");
                assertTrue(res[res.length - 1] <= 1e-6, what);
            }
            assertTrue(selfResidual(cell, x, 2, steps, f.states()) <= 2e-6, what + ": returned states do not satisfy the recurrence");
        }
    }

    /**
     * A fused solver that runs Newton in time and may not converge (a budget of one iteration, from the
     * zero guess) must say so and hand back states that satisfy the recurrence: its fallback finishes
     * the failed window and the rest sequentially, and the report names the step it fell back from.
     * A fused solver that walks time here has nothing to report and is not checked.
     */
    @Test
    void aFusedNewtonThatSpendsItsBudgetFallsBackAndSaysSo() {
        int steps = 2048;
        for (Cell cell : List.<Cell>of(ParaGRU.create(8, 13, 1, 9), ParaLSTM.create(8, 7, 1, 9))) {
            if (backend().fused(cell).isEmpty()) {
                continue;
            }
            float[] x = KitData.gaussian(2 * steps * 8, 1, 12);
            RnnSolver fused = RnnSolver.on(backend()).mode(Mode.FUSED);
            if (fused.forward(cell, x, 2, steps).report().iterations() == 0) {
                continue;
            }
            ForwardPass f = fused.newton(NewtonOptions.defaults().withMaxIterations(1)).forward(cell, x, 2, steps);
            SolveReport r = f.report();
            String what = cell.type() + " " + r;
            assertFalse(r.converged(), what);
            assertTrue(r.fellBack() && r.fallbackFromStep() >= 0 && r.fallbackFromStep() < steps, what);
            assertTrue(r.fallbackReason() != null && !r.fallbackReason().isBlank(), what);
            // The outcome as a value: one iteration allowed, so the budget was spent (or the residual misbehaved).
            assertTrue(r.outcome() != null && !r.outcome().converged() && r.outcome().iterations() == r.iterations(), what);
            assertTrue(r.fallbackReason().startsWith(r.outcome().describe()), what);
            assertTrue(selfResidual(cell, x, 2, steps, f.states()) <= 2e-6, what + ": fallback states do not satisfy the recurrence");
        }
    }

    @Test
    void divergenceIsReportedNotReturnedAsConverged() {
        DivergingCell cell = new DivergingCell(5, 25f);
        int steps = 400;
        float[] x = KitData.gaussian(2 * steps * 5, 1, 11);
        if (!backend().scan().supports(JacobianStructure.diagonal())) {
            return;
        }
        SolveReport r = RnnSolver.on(backend()).mode(Mode.PARALLEL).forward(cell, x, 2, steps).report();
        assertFalse(r.converged(), r.toString());
        assertTrue(r.fellBack(), r.toString());
        assertTrue(r.outcome() instanceof NewtonOutcome.Diverged || r.outcome() instanceof NewtonOutcome.NonFinite,
                "a diverging cell ends Newton as diverged or overflowed: " + r);
        ForwardPass f = RnnSolver.on(backend()).mode(Mode.PARALLEL).forward(cell, x, 2, steps);
        assertTrue(selfResidual(cell, x, 2, steps, f.states()) <= 1e-5, "fallback states do not satisfy the recurrence");
        Optional<RecurrenceSolver> fused = backend().fused(cell);
        assertTrue(fused.isEmpty() || fused.get() != null);
    }
}
