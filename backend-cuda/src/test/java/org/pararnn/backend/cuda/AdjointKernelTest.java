package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.pararnn.api.Gradients;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.KitData;
import org.pararnn.conformance.Tolerances;

/**
 * The fused adjoint as one reverse scan in time (ParaGRU K = 1, ParaLSTM K = 2, on the emulator) against
 * the same cell's sequential adjoint kernel: ∂L/∂u, ∂L/∂h0 and the recurrent weights' gradients, for one
 * window and many, T = 1, 2, prime and long, lanes that leave warps partial; and the same bits on a rerun.
 * The conformance kit checks both against float64 through the whole cell.
 */
class AdjointKernelTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    private static Backend backend(ScanGeometry g, FusedStrategy s) {
        return new CudaEmulatedBackendProvider(g, s).create();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> shapes() {
        java.util.List<org.junit.jupiter.params.provider.Arguments> out = new java.util.ArrayList<>();
        int[][] shapes = {{1, 1, 1}, {1, 1, 2}, {2, 3, 97}, {3, 5, 263}, {1, 40, 300}, {1, 1, 65536}};
        for (String kind : new String[] {"gru", "lstm"}) {
            for (ScanGeometry g : NewtonKernelTest.GEOMETRIES) {
                java.util.List<int[]> all = new java.util.ArrayList<>(java.util.List.of(shapes));
                ScanPlan one = g.plan(1, 4099, g.chunk());
                if (one.spread()) {
                    int seg = one.segmentSteps();
                    all.addAll(java.util.List.of(new int[] {1, 1, seg - 1}, new int[] {1, 1, seg}, new int[] {1, 1, seg + 1},
                            new int[] {1, 3, 9 * seg + 4}));
                }
                for (int[] sh : all) {
                    if (sh[2] == 65536 && g != NewtonKernelTest.GEOMETRIES[0]) {
                        continue; // the long sequences of the other rules: longSequencesAtTheGpusGeometry
                    }
                    out.add(org.junit.jupiter.params.provider.Arguments.of(kind, g, sh[0], sh[1], sh[2]));
                }
            }
        }
        return out.stream();
    }

    static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> longShapes() {
        return NewtonKernelTest.longShapes();
    }

    @ParameterizedTest(name = "{0} {1} B={2} D={3} T={4}")
    @org.junit.jupiter.params.provider.MethodSource("longShapes")
    void longSequencesAtTheGpusGeometry(String kind, ScanGeometry g, int batch, int width, int steps) {
        theReverseScanMatchesTheSequentialAdjoint(kind, g, batch, width, steps);
    }

    /** One backward pass: ∂L/∂u, ∂L/∂h0, then each weight gradient, all in one array for comparing. */
    private record Adjoint(float[] gradU, float[] gradInit, float[][] weights, SolveReport report) {
    }

    private static Adjoint backward(RecurrenceSolver solver, ParaCell cell, Recurrence p, float[] states, float[] gy) {
        float[] gradU = new float[p.u().length];
        float[] gradInit = new float[p.batch() * cell.stateWidth()];
        Gradients grads = Gradients.of(cell);
        SolveReport r = solver.backward(p, states, gy, gradU, grads, gradInit);
        float[][] w = grads.tensors().stream().map(t -> t.data().clone()).toArray(float[][]::new);
        return new Adjoint(gradU, gradInit, w, r);
    }

    @ParameterizedTest(name = "{0} {1} B={2} D={3} T={4}")
    @org.junit.jupiter.params.provider.MethodSource("shapes")
    void theReverseScanMatchesTheSequentialAdjoint(String kind, ScanGeometry g, int batch, int width, int steps) {
        ParaCell cell = kind.equals("gru") ? ParaGRU.create(4, width, 1, 11) : ParaLSTM.create(4, width, 1, 11);
        float[] x = KitData.gaussian(batch * steps * cell.inputWidth(), 1, 7L * steps + batch);
        float[] u = new float[batch * steps * cell.projectedWidth()];
        cell.project(org.pararnn.api.ops.HostOps.ON_THIS_THREAD, x, u, batch * steps);
        float[] h0 = KitData.gaussian(batch * cell.stateWidth(), 0.5, 3);
        Recurrence p = new Recurrence(cell, batch, steps, u, h0, NewtonOptions.defaults());
        float[] gy = KitData.gaussian(p.stateElements(), 1, 5);
        double tol = Tolerances.cell(steps);
        try (Backend seq = backend(g, FusedStrategy.SEQUENTIAL); Backend scan = backend(g, FusedStrategy.NEWTON)) {
            float[] states = new float[p.stateElements()];
            seq.fused(cell).orElseThrow().forward(p, states);
            Adjoint want = backward(seq.fused(cell).orElseThrow(), cell, p, states, gy);
            RecurrenceSolver solver = scan.fused(cell).orElseThrow();
            Adjoint got = backward(solver, cell, p, states, gy);
            String what = kind + " B=" + batch + " D=" + width + " T=" + steps + " [" + got.report() + "]";
            assertTrue(got.report().detail().contains("reverse scan in time"), what);
            assertTrue(got.report().detail().contains("time spread") == g.plan((long) batch * width, steps, g.chunk()).spread(), what);
            assertTrue(KitData.relError(got.gradU(), KitData.toDouble(want.gradU())) <= tol, what + " du: "
                    + KitData.relError(got.gradU(), KitData.toDouble(want.gradU())));
            assertTrue(KitData.relError(got.gradInit(), KitData.toDouble(want.gradInit())) <= tol, what + " dh0: "
                    + KitData.relError(got.gradInit(), KitData.toDouble(want.gradInit())));
            for (int i = 0; i < want.weights().length; i++) {
                double e = KitData.relError(got.weights()[i], KitData.toDouble(want.weights()[i]));
                assertTrue(e <= tol, what + " weight gradient " + i + ": " + e);
            }
            Adjoint again = backward(solver, cell, p, states, gy);
            assertArrayEquals(got.gradU(), again.gradU(), "the same bits on a rerun");
            assertArrayEquals(got.gradInit(), again.gradInit(), "the same bits on a rerun");
            for (int i = 0; i < got.weights().length; i++) {
                assertArrayEquals(got.weights()[i], again.weights()[i], "the same bits on a rerun");
            }
        }
    }
}
