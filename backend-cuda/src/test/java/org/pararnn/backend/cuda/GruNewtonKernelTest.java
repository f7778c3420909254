package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaGRU;
import org.pararnn.conformance.KitData;

/**
 * ParaGRU's fused Newton in time on the emulator against its own sequential fused kernel: one window and
 * many, T = 1, 2, prime and long, lanes that leave warps partial, an initial state; and the failure paths
 * (budget spent → the device re-solves from the failed window and says so; REPORT; THROW).
 */
class GruNewtonKernelTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    private static Backend backend(FusedStrategy s) {
        return new CudaEmulatedBackendProvider(new ScanGeometry(64, 4), s).create();
    }

    private static Recurrence problem(ParaGRU cell, int batch, int steps, NewtonOptions opts, boolean init) {
        float[] x = KitData.gaussian(batch * steps * cell.inputWidth(), 1, 7L * steps + batch);
        float[] u = new float[batch * steps * cell.projectedWidth()];
        cell.project(x, u, batch * steps);
        return new Recurrence(cell, batch, steps, u, init ? KitData.gaussian(batch * cell.stateWidth(), 0.5, 3) : null, opts);
    }

    @ParameterizedTest(name = "B={0} D={1} T={2}")
    @CsvSource({"1, 1, 1", "1, 1, 2", "1, 1, 97", "2, 3, 256", "1, 1, 1000", "3, 5, 263", "1, 40, 300", "1, 1, 65536"})
    void newtonInTimeMatchesTheSequentialWalk(int batch, int width, int steps) {
        ParaGRU cell = ParaGRU.create(4, width, 1, 11);
        try (Backend seq = backend(FusedStrategy.SEQUENTIAL); Backend newton = backend(FusedStrategy.NEWTON)) {
            for (boolean init : new boolean[] {false, true}) {
                Recurrence p = problem(cell, batch, steps, NewtonOptions.defaults(), init);
                float[] want = new float[p.stateElements()];
                float[] got = new float[p.stateElements()];
                seq.fused(cell).orElseThrow().forward(p, want);
                SolveReport r = newton.fused(cell).orElseThrow().forward(p, got);
                assertTrue(r.converged() && !r.fellBack() && r.iterations() >= 1, r.toString());
                assertTrue(r.detail().contains("Newton in time"), r.toString());
                assertEquals(r.iterations() + 1, r.residuals().length, r.toString());
                double err = KitData.relError(got, KitData.toDouble(want));
                assertTrue(err <= 1e-5, "B=" + batch + " D=" + width + " T=" + steps + " init=" + init + ": " + err + " " + r);
            }
        }
    }

    @Test
    void aSpentBudgetIsReportedAndTheDeviceFinishesSequentially() {
        ParaGRU cell = ParaGRU.create(4, 3, 1, 5);
        int steps = 700;
        try (Backend seq = backend(FusedStrategy.SEQUENTIAL); Backend newton = backend(FusedStrategy.NEWTON)) {
            RecurrenceSolver solver = newton.fused(cell).orElseThrow();
            NewtonOptions one = NewtonOptions.defaults().withMaxIterations(1);
            Recurrence p = problem(cell, 2, steps, one, true);
            float[] want = new float[p.stateElements()];
            seq.fused(cell).orElseThrow().forward(p, want);
            float[] got = new float[p.stateElements()];
            SolveReport r = solver.forward(p, got);
            assertFalse(r.converged(), r.toString());
            assertEquals(0, r.fallbackFromStep(), r.toString());
            assertTrue(r.fallbackReason().contains("not converged after 1 iterations"), r.toString());
            assertTrue(KitData.relError(got, KitData.toDouble(want)) <= 1e-6, "the sequential finish");

            SolveReport rep = solver.forward(problem(cell, 2, steps, one.withOnFailure(NewtonOptions.OnFailure.REPORT), true),
                    new float[p.stateElements()]);
            assertFalse(rep.converged() || rep.fellBack(), rep.toString());
            assertThrows(SolveFailedException.class, () -> solver.forward(
                    problem(cell, 2, steps, one.withOnFailure(NewtonOptions.OnFailure.THROW), true), new float[p.stateElements()]));
        }
    }
}
