package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
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
        return backend(new ScanGeometry(64, 4), s);
    }

    private static Backend backend(ScanGeometry g, FusedStrategy s) {
        return new CudaEmulatedBackendProvider(g, s).create();
    }

    /** Windowed blocks of 64 threads; the GPU's rule (few lanes spread time over 1024-thread blocks); the emulator's; one that spreads small T. */
    static final ScanGeometry[] GEOMETRIES = {new ScanGeometry(64, 4), ScanGeometry.GPU, ScanGeometry.EMULATED,
            new ScanGeometry(32, 2, 64, 8)};

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> shapes() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
        int[][] shapes = {{1, 1, 1}, {1, 1, 2}, {1, 1, 97}, {2, 3, 256}, {1, 1, 1000}, {3, 5, 263}, {1, 40, 300}, {1, 1, 65536}};
        for (String kind : new String[] {"gru", "lstm"}) {
            for (ScanGeometry g : GEOMETRIES) {
                java.util.List<int[]> all = new java.util.ArrayList<>(java.util.List.of(shapes));
                ScanPlan one = g.plan(1, 4099, kind.equals("gru") ? CudaFusedSolver.MAX_GRU_NEWTON_CHUNK : CudaFusedSolver.MAX_LSTM_NEWTON_CHUNK);
                if (one.spread()) {
                    int seg = one.segmentSteps();
                    all.addAll(java.util.List.of(new int[] {1, 1, seg - 1}, new int[] {1, 1, seg}, new int[] {1, 1, seg + 1},
                            new int[] {1, 3, 9 * seg + 4}));
                }
                for (int[] sh : all) {
                    if (sh[2] == 65536 && g != GEOMETRIES[0]) {
                        continue; // the long sequences of the other rules: longSequencesAtTheGpusGeometry
                    }
                    out.add(org.junit.jupiter.params.provider.Arguments.of(kind, g, sh[0], sh[1], sh[2]));
                }
            }
        }
        return out.stream();
    }

    /** The GPU's rule at the lengths and lane counts the issue names: T = 2¹⁶ + 17 with 1, 3 and 64 lanes; 2¹⁴ lanes windowed. */
    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> longShapes() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
        for (String kind : new String[] {"gru", "lstm"}) {
            for (int[] sh : new int[][] {{1, 1, (1 << 16) + 17}, {1, 3, 20011}, {1, 64, 4099}, {256, 64, 37}}) {
                out.add(org.junit.jupiter.params.provider.Arguments.of(kind, ScanGeometry.GPU, sh[0], sh[1], sh[2]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} B={2} D={3} T={4}")
    @org.junit.jupiter.params.provider.MethodSource("longShapes")
    void longSequencesAtTheGpusGeometry(String kind, ScanGeometry g, int batch, int width, int steps) {
        newtonInTimeMatchesTheSequentialWalk(kind, g, batch, width, steps);
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

    @ParameterizedTest(name = "{0} {1} B={2} D={3} T={4}")
    @org.junit.jupiter.params.provider.MethodSource("shapes")
    void newtonInTimeMatchesTheSequentialWalk(String kind, ScanGeometry g, int batch, int width, int steps) {
        ParaCell cell = cell(kind, width, 11);
        try (Backend seq = backend(g, FusedStrategy.SEQUENTIAL); Backend newton = backend(g, FusedStrategy.NEWTON)) {
            for (boolean init : new boolean[] {false, true}) {
                Recurrence p = problem(cell, batch, steps, NewtonOptions.defaults(), init);
                float[] want = new float[p.stateElements()];
                float[] got = new float[p.stateElements()];
                seq.fused(cell).orElseThrow().forward(p, want);
                SolveReport r = newton.fused(cell).orElseThrow().forward(p, got);
                assertTrue(r.converged() && !r.fellBack() && r.iterations() >= 1, r.toString());
                assertTrue(r.detail().contains("Newton in time"), r.toString());
                int maxChunk = kind.equals("gru") ? CudaFusedSolver.MAX_GRU_NEWTON_CHUNK : CudaFusedSolver.MAX_LSTM_NEWTON_CHUNK;
                boolean spread = g.plan((long) batch * width, steps, maxChunk).spread();
                assertEquals(spread, r.detail().contains("Newton over the whole sequence"), r.toString());
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

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> failures() {
        return java.util.stream.Stream.of("gru", "lstm").flatMap(k -> java.util.stream.Stream.of(
                org.junit.jupiter.params.provider.Arguments.of(k, new ScanGeometry(64, 4)),
                org.junit.jupiter.params.provider.Arguments.of(k, ScanGeometry.GPU)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.MethodSource("failures")
    void aSpentBudgetIsReportedAndTheDeviceFinishesSequentially(String kind, ScanGeometry g) {
        ParaCell cell = cell(kind, 3, 5);
        int steps = 700;
        try (Backend seq = backend(g, FusedStrategy.SEQUENTIAL); Backend newton = backend(g, FusedStrategy.NEWTON)) {
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
