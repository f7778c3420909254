package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.KitData;

/**
 * The fused Newton in time of ParaGRU (K = 1) and ParaLSTM (K = 2) on the emulator against each cell's own
 * sequential fused kernel: one window and many, T = 1, 2, prime and long, lanes that leave warps partial,
 * an initial state; and the failure paths (budget spent → the device re-solves from the failed window and
 * says so; REPORT; THROW).
 */
class NewtonKernelTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    private static Backend backend(FusedStrategy s) {
        return new CudaEmulatedBackendProvider(new ScanGeometry(64, 4), s).create();
    }

    private static ParaCell cell(String kind, int width, long seed) {
        return kind.equals("gru") ? ParaGRU.create(4, width, 1, seed) : ParaLSTM.create(4, width, 1, seed);
    }

    private static Recurrence problem(ParaCell cell, int batch, int steps, NewtonOptions opts, boolean init) {
        float[] x = KitData.gaussian(batch * steps * cell.inputWidth(), 1, 7L * steps + batch);
        float[] u = new float[batch * steps * cell.projectedWidth()];
        cell.project(org.pararnn.api.ops.HostOps.ON_THIS_THREAD, x, u, batch * steps);
        return new Recurrence(cell, batch, steps, u, init ? KitData.gaussian(batch * cell.stateWidth(), 0.5, 3) : null, opts);
    }

    @ParameterizedTest(name = "{0} B={1} D={2} T={3}")
    @CsvSource({"gru, 1, 1, 1", "gru, 1, 1, 2", "gru, 1, 1, 97", "gru, 2, 3, 256", "gru, 1, 1, 1000", "gru, 3, 5, 263",
            "gru, 1, 40, 300", "gru, 1, 1, 65536",
            "lstm, 1, 1, 1", "lstm, 1, 1, 2", "lstm, 1, 1, 97", "lstm, 2, 3, 256", "lstm, 1, 1, 1000", "lstm, 3, 5, 263",
            "lstm, 1, 40, 300", "lstm, 1, 1, 65536"})
    void newtonInTimeMatchesTheSequentialWalk(String kind, int batch, int width, int steps) {
        ParaCell cell = cell(kind, width, 11);
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
                // An exact Jacobian converges quadratically: r_{i+1} ≤ 4 r_i² wherever the step is above
                // float noise (4 leaves room above the constant of a correct J). A wrong J still reaches the
                // right answer through the residual check, only linearly — this is what catches it.
                double[] rs = r.residuals();
                for (int i = 0; i + 1 < rs.length; i++) {
                    if (rs[i] < 0.3 && rs[i + 1] > 1e-5) {
                        assertTrue(rs[i + 1] <= 4 * rs[i] * rs[i], kind + " B=" + batch + " D=" + width + " T=" + steps
                                + ": not quadratic at iteration " + (i + 1) + ": " + r);
                    }
                }
                double err = KitData.relError(got, KitData.toDouble(want));
                assertTrue(err <= 1e-5, kind + " B=" + batch + " D=" + width + " T=" + steps + " init=" + init + ": " + err + " " + r);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gru", "lstm"})
    void aSpentBudgetIsReportedAndTheDeviceFinishesSequentially(String kind) {
        ParaCell cell = cell(kind, 3, 5);
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
            assertEquals(0, KitData.relError(got, KitData.toDouble(want)), "the sequential finish: the walk's own operations");

            SolveReport rep = solver.forward(problem(cell, 2, steps, one.withOnFailure(NewtonOptions.OnFailure.REPORT), true),
                    new float[p.stateElements()]);
            assertFalse(rep.converged() || rep.fellBack(), rep.toString());
            assertThrows(SolveFailedException.class, () -> solver.forward(
                    problem(cell, 2, steps, one.withOnFailure(NewtonOptions.OnFailure.THROW), true), new float[p.stateElements()]));
        }
    }
}
