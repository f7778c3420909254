package org.pararnn.backend.cpu;

import org.junit.jupiter.api.Test;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.KitData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fused ParaLSTM Newton in time against the fused sequential kernel, and its failure policies. */
class LstmNewtonTest {

    private static Recurrence problem(ParaLSTM cell, int batch, int steps, NewtonOptions opts) {
        float[] u = KitData.gaussian(batch * steps * cell.projectedWidth(), 1, 31);
        return new Recurrence(cell, batch, steps, u, KitData.gaussian(batch * cell.stateWidth(), 0.3, 32), opts);
    }

    @Test
    void newtonInTimeMatchesSequentialAtSeveralShapes() {
        try (CpuBackend seq = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.SEQUENTIAL);
             CpuBackend newton = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.NEWTON)) {
            int[][] shapes = {{1, 1, 3000}, {1, 9, 5000}, {3, 13, 1024}, {2, 4, 257}};
            for (int[] sh : shapes) {
                ParaLSTM cell = ParaLSTM.create(4, sh[1], 1, sh[1] + sh[2]);
                Recurrence p = problem(cell, sh[0], sh[2], NewtonOptions.defaults());
                float[] want = new float[sh[0] * sh[2] * 2 * sh[1]];
                float[] got = new float[want.length];
                seq.fused(cell).orElseThrow().forward(p, want);
                SolveReport r = newton.fused(cell).orElseThrow().forward(p, got);
                String what = "B=" + sh[0] + " D=" + sh[1] + " T=" + sh[2] + " " + r;
                assertTrue(r.converged() && r.iterations() >= 1 && r.detail().contains("ParaLSTM Newton in time"), what);
                double err = KitData.relError(got, KitData.toDouble(want));
                assertTrue(err <= 1e-6, what + ": " + err);
            }
        }
    }

    @Test
    void anExhaustedBudgetFallsBackOrReportsOrThrows() {
        try (CpuBackend newton = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.NEWTON)) {
            ParaLSTM cell = ParaLSTM.create(4, 5, 1, 9);
            int steps = 3000;
            RecurrenceSolver solver = newton.fused(cell).orElseThrow();
            float[] exact = new float[steps * 10];
            solver.forward(problem(cell, 1, steps, NewtonOptions.defaults()), exact);
            NewtonOptions one = NewtonOptions.defaults().withMaxIterations(1);
            float[] fallback = new float[steps * 10];
            SolveReport r = solver.forward(problem(cell, 1, steps, one), fallback);
            assertFalse(r.converged(), r.toString());
            // One iteration makes at least the first step exact: the converged prefix is kept, the rest re-solved.
            assertTrue(r.fallbackFromStep() >= 1 && r.fallbackFromStep() < steps, r.toString());
            assertTrue(KitData.relError(fallback, KitData.toDouble(exact)) <= 1e-6, "fallback states");
            SolveReport rep = solver.forward(problem(cell, 1, steps, one.withOnFailure(NewtonOptions.OnFailure.REPORT)),
                    new float[steps * 10]);
            assertFalse(rep.converged());
            assertEquals(2, rep.residuals().length, "the guess and one iterate");
            assertThrows(SolveFailedException.class, () -> solver.forward(
                    problem(cell, 1, steps, one.withOnFailure(NewtonOptions.OnFailure.THROW)), new float[steps * 10]));
        }
    }
}
