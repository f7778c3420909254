package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.KitData;

/**
 * The closed-form phases that AUTO decides by are the emulator's counts: per layout (windowed, spread, the
 * GPU's rule and the emulator's), for the scans, the Newton forward (exactly where every window takes the
 * same iterations, else an upper bound), the adjoint and the walks; and the bytes within 10 % of the
 * distinct sectors counted.
 */
class KernelCostModelTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    static final ScanGeometry[] GEOMETRIES = {ScanGeometry.GPU, ScanGeometry.GPU.windowedOnly(), ScanGeometry.EMULATED};

    private static CudaBackend backend(ScanGeometry g) {
        return new CudaBackend(CudaEmulatedBackendProvider.NAME, new EmulatedDevice(), g, FusedStrategy.NEWTON);
    }

    static Stream<Arguments> scanShapes() {
        List<Arguments> out = new ArrayList<>();
        for (ScanGeometry g : GEOMETRIES) {
            for (int k : new int[] {1, 2}) {
                for (int[] sh : new int[][] {{1, 1}, {1, 37}, {3, 1025}, {64, 5000}, {300, 777}, {1, 70_001}}) {
                    out.add(Arguments.of(g, k, sh[0], sh[1]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} k={1} lanes={2} T={3}")
    @MethodSource("scanShapes")
    void scanPhasesAreTheEmulatorsCount(ScanGeometry g, int k, int lanes, int steps) {
        JacobianStructure s = k == 1 ? JacobianStructure.diagonal() : JacobianStructure.blockDiagonal(k);
        try (CudaBackend b = backend(g)) {
            ScanTiming.Problem data = new ScanTiming.Problem(s, k, steps, lanes);
            KernelTally before = b.counts();
            b.scan().forward(data.problem());
            KernelTally c = b.counts().since(before);
            ScanPlan p = g.plan(lanes, steps, g.chunk());
            assertEquals(KernelCostModel.scanPhases(p, k, steps), c.phases(), p.describe());
            assertEquals(p.spread() ? 3 : 1, c.launches(), p.describe());
        }
    }

    static Stream<Arguments> cellShapes() {
        List<Arguments> out = new ArrayList<>();
        for (ScanGeometry g : GEOMETRIES) {
            for (String kind : new String[] {"gru", "lstm"}) {
                for (int[] sh : new int[][] {{1, 1, 1}, {1, 1, 300}, {1, 3, 4099}, {2, 32, 1500}, {1, 1, 20_000}}) {
                    out.add(Arguments.of(g, kind, sh[0], sh[1], sh[2]));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} B={2} D={3} T={4}")
    @MethodSource("cellShapes")
    void newtonAndAdjointPhasesAreTheEmulatorsCount(ScanGeometry g, String kind, int batch, int width, int steps) {
        boolean lstm = kind.equals("lstm");
        ParaCell cell = lstm ? ParaLSTM.create(4, width, 1, 11) : ParaGRU.create(4, width, 1, 11);
        float[] x = KitData.gaussian(batch * steps * cell.inputWidth(), 1, 7L * steps + batch);
        float[] u = new float[batch * steps * cell.projectedWidth()];
        cell.project(org.pararnn.api.ops.HostOps.ON_THIS_THREAD, x, u, batch * steps);
        Recurrence p = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        int k = lstm ? 2 : 1;
        long lanes = (long) batch * width;
        try (CudaBackend b = backend(g)) {
            CudaFusedSolver solver = b.fused(FusableCell.of(cell).orElseThrow(), FusedStrategy.NEWTON);
            float[] states = new float[p.stateElements()];
            KernelTally before = b.counts();
            SolveReport r = solver.forward(p, states);
            KernelTally fwd = b.counts().since(before);
            ScanPlan plan = g.plan(lanes, steps, lstm ? CudaFusedSolver.MAX_LSTM_NEWTON_CHUNK : CudaFusedSolver.MAX_GRU_NEWTON_CHUNK);
            String what = plan.describe() + " " + r;
            if (plan.spread()) {
                assertEquals(KernelCostModel.newtonSpreadPhases(plan, k, steps, r.iterations()), fwd.phases(), what);
            } else {
                long model = KernelCostModel.newtonWindowedPhases(plan, k, steps, r.iterations());
                assertTrue(fwd.phases() <= model, what + ": " + fwd.phases() + " > " + model);
                if (KernelCostModel.windows(plan, steps) == 1) {
                    assertEquals(model, fwd.phases(), what);
                }
            }
            before = b.counts();
            solver.backward(p, states, KitData.gaussian(p.stateElements(), 1, 5), new float[u.length], Gradients.of(cell), null);
            KernelTally bwd = b.counts().since(before);
            ScanPlan back = g.plan(lanes, steps, g.chunk());
            assertEquals(KernelCostModel.adjointPhases(back, k, steps), bwd.phases(), back.describe());
        }
    }

    @Test
    void theWalksAreOneStepAPhaseAndTheBytesAreTheSectorsCounted() {
        ParaCell cell = ParaGRU.create(4, 64, 1, 11);
        int batch = 2;
        int steps = 4096;
        float[] u = KitData.gaussian(batch * steps * cell.projectedWidth(), 1, 3);
        Recurrence p = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        try (CudaBackend b = backend(ScanGeometry.GPU)) {
            FusableCell f = FusableCell.of(cell).orElseThrow();
            for (FusedStrategy s : new FusedStrategy[] {FusedStrategy.SEQUENTIAL, FusedStrategy.NEWTON}) {
                CudaFusedSolver solver = b.fused(f, s);
                float[] states = new float[p.stateElements()];
                KernelTally before = b.counts();
                SolveReport r = solver.forward(p, states);
                solver.backward(p, states, KitData.gaussian(p.stateElements(), 1, 5), new float[u.length], Gradients.of(cell), null);
                KernelTally c = b.counts().since(before);
                KernelCostModel.Cost model = s == FusedStrategy.SEQUENTIAL ? KernelCostModel.walk(false, 128, steps)
                        : KernelCostModel.inTime(ScanGeometry.GPU, false, 128, steps, r.iterations());
                if (s == FusedStrategy.SEQUENTIAL) {
                    assertEquals(model.phases(), c.phases(), "the walks");
                }
                assertEquals(model.launches(), c.launches(), s + " launches");
                double ratio = c.bytes() / model.bytes();
                assertTrue(ratio > 0.9 && ratio < 1.1, s + ": counted " + c.bytes() + " B, modelled " + model.bytes());
            }
        }
    }
}
