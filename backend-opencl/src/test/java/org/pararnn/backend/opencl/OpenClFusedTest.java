package org.pararnn.backend.opencl;

import org.junit.jupiter.api.Test;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Probe;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.KitData;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The fused solvers' strategy choice, failure policies and transfer reports on the device. */
class OpenClFusedTest {

    private static Backend backend(FusedStrategy strategy, int chunks) {
        OpenClBackendProvider provider = new OpenClBackendProvider(strategy, chunks);
        Probe probe = provider.probe();
        assumeTrue(probe.available(), () -> "opencl unavailable here: " + probe.reason());
        return provider.create();
    }

    private static Recurrence problem(org.pararnn.api.Cell cell, int batch, int steps, NewtonOptions opts) {
        float[] u = KitData.gaussian(batch * steps * cell.projectedWidth(), 1, 21);
        return new Recurrence(cell, batch, steps, u, KitData.gaussian(batch * cell.stateWidth(), 0.3, 22), opts);
    }

    @Test
    void autoOnACpuDeviceStaysSequentialAndNewtonGivesTheSameStates() {
        ParaGRU cell = ParaGRU.create(4, 1, 1, 5);
        Recurrence p = problem(cell, 1, 8192, NewtonOptions.defaults());
        float[] seq = new float[8192];
        float[] newton = new float[8192];
        try (Backend auto = backend(FusedStrategy.AUTO, 0); Backend forced = backend(FusedStrategy.NEWTON, 0)) {
            assumeTrue(!((OpenClBackend) auto).accelerator(), "a GPU may choose Newton here");
            SolveReport r = auto.fused(cell).orElseThrow().forward(p, seq);
            assertTrue(r.detail().contains("sequential in time") && r.iterations() == 0, r.toString());
            SolveReport n = forced.fused(cell).orElseThrow().forward(p, newton);
            assertTrue(n.detail().contains("Newton in time") && n.converged() && n.iterations() >= 1, n.toString());
            assertTrue((n.detail().contains("host->device") || n.detail().contains("nothing copied")) && n.detail().contains("launches"), n.detail());
            double err = KitData.relError(newton, KitData.toDouble(seq));
            assertTrue(err <= 1e-6, "Newton vs sequential on the device: " + err);
        }
    }

    @Test
    void anExhaustedBudgetFallsBackOrReportsOrThrowsAsAsked() {
        ParaLSTM cell = ParaLSTM.create(4, 3, 1, 6);
        int steps = 3000;
        try (Backend b = backend(FusedStrategy.NEWTON, 64)) {
            RecurrenceSolver solver = b.fused(cell).orElseThrow();
            float[] exact = new float[steps * 6];
            solver.forward(problem(cell, 1, steps, NewtonOptions.defaults()), exact);
            NewtonOptions one = NewtonOptions.defaults().withMaxIterations(1);
            float[] fallback = new float[steps * 6];
            SolveReport r = solver.forward(problem(cell, 1, steps, one), fallback);
            assertFalse(r.converged(), r.toString());
            assertEquals(0, r.fallbackFromStep(), r.toString());
            assertTrue(r.fallbackReason().contains("not converged after 1"), r.toString());
            assertTrue(KitData.relError(fallback, KitData.toDouble(exact)) <= 1e-6, "fallback states");
            float[] last = new float[steps * 6];
            SolveReport rep = solver.forward(problem(cell, 1, steps, one.withOnFailure(NewtonOptions.OnFailure.REPORT)), last);
            assertFalse(rep.converged());
            assertEquals(-1, rep.fallbackFromStep());
            assertEquals(2, rep.residuals().length, "one residual per iterate: the guess and one step");
            SolveFailedException e = assertThrows(SolveFailedException.class, () -> solver.forward(
                    problem(cell, 1, steps, one.withOnFailure(NewtonOptions.OnFailure.THROW)), new float[steps * 6]));
            assertTrue(e.getMessage().contains("Newton failed"), e.getMessage());
            float[] again = new float[steps * 6];
            solver.forward(problem(cell, 1, steps, NewtonOptions.defaults()), again);
            assertArrayEquals(exact, again, "the same solve twice on the device gives the same bits");
        }
    }
}
