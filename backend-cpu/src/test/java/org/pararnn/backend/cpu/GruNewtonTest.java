package org.pararnn.backend.cpu;

import org.junit.jupiter.api.Test;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.cells.ParaGRU;
import org.pararnn.conformance.KitData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The fused Newton-in-time ParaGRU against the fused sequential one on the same backend threads:
 * states and every gradient within float32 round-off of each other (a relative L2 of 1e-5, the cell
 * bound of docs/design.md §4), reports honest, failures reported rather than returned as converged.
 */
class GruNewtonTest {

    private static double relL2(float[] want, float[] got) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < want.length; i++) {
            double d = (double) got[i] - want[i];
            num += d * d;
            den += (double) want[i] * want[i];
        }
        return Math.sqrt(num / Math.max(den, 1e-30));
    }

    @Test
    void newtonInTimeMatchesSequentialForwardAndBackward() {
        try (CpuBackend seq = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.SEQUENTIAL);
             CpuBackend newton = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.NEWTON)) {
            int[][] shapes = {{1, 1, 5000}, {1, 1, 257}, {3, 1, 2000}, {1, 8, 4096}, {2, 13, 3001}, {1, 3, 700}};
            for (int[] shape : shapes) {
                int batch = shape[0];
                int d = shape[1];
                int steps = shape[2];
                ParaGRU cell = ParaGRU.create(4, d, 1, 17 + d);
                float[] x = KitData.gaussian(batch * steps * 4, 1, 3);
                float[] gy = KitData.gaussian(batch * steps * d, 1, 4);
                float[] h0 = KitData.gaussian(batch * d, 0.5f, 5);
                RnnSolver a = RnnSolver.on(seq).mode(Mode.FUSED);
                RnnSolver b = RnnSolver.on(newton).mode(Mode.FUSED);
                ForwardPass fa = a.forward(cell, x, batch, steps, h0);
                ForwardPass fb = b.forward(cell, x, batch, steps, h0);
                String what = "B=" + batch + " D=" + d + " T=" + steps + " " + fb.report();
                SolveReport r = fb.report();
                assertTrue(r.converged() && r.iterations() >= 1 && r.residuals().length == r.iterations() + 1, what);
                assertTrue(r.detail().contains("Newton in time"), what);
                assertTrue(relL2(fa.states(), fb.states()) <= 1e-5, what + ": states " + relL2(fa.states(), fb.states()));
                BackwardPass ba = a.backward(fa, gy);
                BackwardPass bb = b.backward(fb, gy);
                assertTrue(relL2(ba.gradInput(), bb.gradInput()) <= 1e-5, what + ": gradInput");
                assertTrue(relL2(ba.gradInitialState(), bb.gradInitialState()) <= 1e-5, what + ": gradInitial");
                for (String name : new String[] {"A", "B", "b"}) {
                    double e = relL2(ba.gradients().get(name).data(), bb.gradients().get(name).data());
                    assertTrue(e <= 1e-5, what + ": grad " + name + " " + e);
                }
            }
        }
    }

    /**
     * Check-only passes (one feature) change how much work a solve does, never its result: with them never
     * run, run when predicted, or run before every iteration (so each but the last finds the iterate short
     * and a full pass follows), the states are bit for bit the same and so are the iterations and the
     * residual history.
     */
    @Test
    void checkOnlyPassesNeverChangeTheResult() {
        try (CpuBackend newton = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.NEWTON)) {
            for (int[] shape : new int[][] {{1, 5000}, {3, 2000}, {1, 257}, {2, 70_000}}) {
                int batch = shape[0];
                int steps = shape[1];
                ParaGRU cell = ParaGRU.create(4, 1, 1, 23);
                float[] x = KitData.gaussian(batch * steps * 4, 1, 6);
                float[] h0 = KitData.gaussian(batch, 0.5f, 7);
                ForwardPass[] runs = new ForwardPass[3];
                ChunkedNewton.Speculation[] modes = ChunkedNewton.Speculation.values();
                try {
                    for (int m = 0; m < modes.length; m++) {
                        ChunkedNewton.speculation = modes[m];
                        runs[m] = RnnSolver.on(newton).mode(Mode.FUSED).forward(cell, x, batch, steps, h0);
                    }
                } finally {
                    ChunkedNewton.speculation = ChunkedNewton.Speculation.PREDICTED;
                }
                String what = "B=" + batch + " T=" + steps + " " + runs[2].report();
                for (int m = 1; m < modes.length; m++) {
                    assertTrue(java.util.Arrays.equals(runs[0].states(), runs[m].states()), what + " states " + modes[m]);
                    assertEquals(runs[0].report().iterations(), runs[m].report().iterations(), what);
                    assertTrue(java.util.Arrays.equals(runs[0].report().residuals(), runs[m].report().residuals()), what);
                    assertTrue(runs[m].report().converged(), what);
                }
                assertTrue(runs[2].report().detail().contains("last residual from a check-only pass"), what);
                assertTrue(runs[2].report().iterations() < 2
                        || runs[2].report().detail().contains("check-only pass(es) found the iterate short"), what);
                assertFalse(runs[0].report().detail().contains("check-only"), what);
            }
        }
    }

    @Test
    void autoSolvesInTimeOnlyWhereMeasuredFaster() {
        try (CpuBackend cpu = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.AUTO)) {
            RnnSolver fused = RnnSolver.on(cpu).mode(Mode.FUSED);
            ParaGRU narrow = ParaGRU.create(2, 1, 1, 3);
            int steps = GruNewton.AUTO_MIN_STEPS;
            SolveReport r = fused.forward(narrow, KitData.gaussian(steps * 2, 1, 1), 1, steps).report();
            boolean simd = DiagonalKernels.best().lanes() > 1;
            assertTrue(r.detail().contains(simd ? "Newton in time" : "sequential in time"), r.toString());
            ParaGRU eight = ParaGRU.create(2, 8, 1, 3);
            r = fused.forward(eight, KitData.gaussian(steps * 2, 1, 1), 1, steps).report();
            assertTrue(r.detail().contains("sequential in time"), "8 features: measured slower in time: " + r);
            int shorter = GruNewton.AUTO_MIN_STEPS / 2;
            r = fused.forward(narrow, KitData.gaussian(shorter * 2, 1, 1), 1, shorter).report();
            assertTrue(r.detail().contains("sequential in time"), "below the measured crossover: " + r);
        }
        // One thread: the forward still solves in time, the adjoint stays sequential (its chunks need threads).
        try (CpuBackend one = new CpuBackend(1, DiagonalKernels.best(), FusedStrategy.AUTO)) {
            assumeTrue(DiagonalKernels.best().lanes() > 1, "no SIMD: AUTO stays sequential");
            ParaGRU narrow = ParaGRU.create(2, 1, 1, 3);
            int steps = 4096;
            RnnSolver solver = RnnSolver.on(one).mode(Mode.FUSED);
            ForwardPass f = solver.forward(narrow, KitData.gaussian(steps * 2, 1, 1), 1, steps);
            assertTrue(f.report().detail().contains("Newton in time"), f.report().toString());
            SolveReport b = solver.backward(f, KitData.gaussian(steps, 1, 5)).report();
            assertTrue(b.detail().contains("adjoint in reverse time"), b.toString());
        }
    }

    @Test
    void anExhaustedBudgetFallsBackAndSaysFromWhere() {
        try (CpuBackend newton = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.NEWTON);
             CpuBackend seq = new CpuBackend(2, DiagonalKernels.best(), FusedStrategy.SEQUENTIAL)) {
            ParaGRU cell = ParaGRU.create(4, 8, 1, 2);
            int steps = 3000;
            float[] x = KitData.gaussian(steps * 4, 1, 8);
            NewtonOptions one = NewtonOptions.defaults().withMaxIterations(1);
            ForwardPass f = RnnSolver.on(newton).mode(Mode.FUSED).newton(one).forward(cell, x, 1, steps);
            SolveReport r = f.report();
            assertFalse(r.converged(), r.toString());
            assertTrue(r.fellBack() && r.fallbackFromStep() > 0 && r.fallbackFromStep() < steps, r.toString());
            assertEquals(2, r.residuals().length, r.toString());
            float[] want = RnnSolver.on(seq).mode(Mode.FUSED).forward(cell, x, 1, steps).states();
            assertTrue(relL2(want, f.states()) <= 1e-5, "fallback states " + relL2(want, f.states()));

            NewtonOptions strict = one.withOnFailure(NewtonOptions.OnFailure.THROW);
            SolveFailedException e = assertThrows(SolveFailedException.class,
                    () -> RnnSolver.on(newton).mode(Mode.FUSED).newton(strict).forward(cell, x, 1, steps));
            assertTrue(e.getMessage().contains("not converged after 1 iterations"), e.getMessage());
        }
    }
}
