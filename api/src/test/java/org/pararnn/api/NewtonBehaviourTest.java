package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.toy.Float64Reference;
import org.pararnn.api.toy.SineCell;
import org.pararnn.api.toy.TanhBlockCell;
import org.pararnn.api.toy.ToyCell;

/** Convergence, divergence, fallback, damping, chunked streams and the honesty of the report. */
class NewtonBehaviourTest {
    final Backend backend = Fixtures.reference();

    /** Strong recurrent weights: Jacobians near and above 1, so Newton needs many iterations. */
    static ToyCell slowCell() {
        return new TanhBlockCell(3, 1, 8, 4.0, 5);
    }

    /** {@code max_t ‖h_t − f(h_{t−1})‖_∞} of returned states, recomputed step by step in float32. */
    static float selfResidual(Cell cell, float[] x, int batch, int steps, float[] states) {
        int s = cell.stateWidth();
        float[] u = new float[batch * steps * cell.projectedWidth()];
        cell.project(org.pararnn.api.ops.HostOps.ON_THIS_THREAD, x, u, batch * steps);
        float[] f = new float[s];
        float worst = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < steps; t++) {
                int r = b * steps + t;
                if (t == 0) {
                    cell.step(new float[s], 0, u, r * cell.projectedWidth(), f, 0);
                } else {
                    cell.step(states, (r - 1) * s, u, r * cell.projectedWidth(), f, 0);
                }
                for (int i = 0; i < s; i++) {
                    worst = Math.max(worst, Math.abs(f[i] - states[r * s + i]));
                }
            }
        }
        return worst;
    }

    @Test
    void slowCellReachesExactnessWithinTIterations() {
        ToyCell cell = slowCell();
        int steps = 96;
        float[] x = Fixtures.gaussian(2 * steps * 3, 1, 3);
        NewtonOptions opts = NewtonOptions.defaults().withMaxIterations(steps).withGrowthPatience(steps + 1)
                .withOnFailure(NewtonOptions.OnFailure.THROW);
        ForwardPass fp = RnnSolver.on(backend).mode(Mode.PARALLEL).newton(opts).forward(cell, x, 2, steps);
        SolveReport r = fp.report();
        assertTrue(r.converged(), r.toString());
        assertTrue(r.iterations() >= 6, "the cell should converge slowly: " + r);
        assertTrue(r.iterations() <= steps, r.toString());
        double err = Fixtures.relativeError(fp.states(), Float64Reference.forward(cell, x, 2, steps, null));
        assertTrue(err <= 1e-5, "error " + err + " " + r);
    }

    @Test
    void divergingCellFallsBackAndSaysSo() {
        ToyCell cell = new SineCell(2, 4, 25f, 7);
        int steps = 300;
        float[] x = Fixtures.gaussian(2 * steps * 2, 1, 8);
        ForwardPass fp = RnnSolver.on(backend).mode(Mode.PARALLEL).forward(cell, x, 2, steps);
        SolveReport r = fp.report();
        assertFalse(r.converged(), r.toString());
        assertTrue(r.fellBack(), r.toString());
        assertNotNull(r.fallbackReason());
        assertTrue(r.toString().contains("fallback=sequential-from-t="), r.toString());
        // A chaotic map cannot be compared pointwise with another float32 run; the returned states must
        // satisfy the recurrence: the Newton prefix within tolerance, the sequential rest exactly.
        assertTrue(selfResidual(cell, x, 2, steps, fp.states()) <= 1e-5f * 4);
    }

    @Test
    void divergingCellIsReportedOrThrownWhenAskedTo() {
        ToyCell cell = new SineCell(2, 4, 25f, 7);
        int steps = 300;
        float[] x = Fixtures.gaussian(2 * steps * 2, 1, 8);
        RnnSolver solver = RnnSolver.on(backend).mode(Mode.PARALLEL);
        SolveReport reported = solver.newton(NewtonOptions.defaults().withOnFailure(NewtonOptions.OnFailure.REPORT))
                .forward(cell, x, 2, steps).report();
        assertFalse(reported.converged());
        assertFalse(reported.fellBack());
        assertNotNull(reported.fallbackReason());
        SolveFailedException e = assertThrows(SolveFailedException.class,
                () -> solver.newton(NewtonOptions.defaults().withOnFailure(NewtonOptions.OnFailure.THROW))
                        .forward(cell, x, 2, steps));
        assertFalse(e.report().converged());
        assertTrue(e.getMessage().startsWith("Newton failed: "), e.getMessage());
    }

    @Test
    void exhaustedBudgetKeepsTheConvergedPrefixAndFinishesSequentially() {
        ToyCell cell = slowCell();
        int steps = 200;
        float[] x = Fixtures.gaussian(steps * 3, 1, 4);
        ForwardPass fp = RnnSolver.on(backend).mode(Mode.PARALLEL)
                .newton(NewtonOptions.defaults().withMaxIterations(2)).forward(cell, x, 1, steps);
        SolveReport r = fp.report();
        assertFalse(r.converged());
        assertTrue(r.fellBack());
        assertTrue(r.fallbackFromStep() >= 2, "two iterations make at least two leading steps exact: " + r);
        assertEquals(2, r.iterations());
        double err = Fixtures.relativeError(fp.states(), Float64Reference.forward(cell, x, 1, steps, null));
        assertTrue(err <= 1e-5, "error " + err);
    }

    @Test
    void quasiNewtonUsesOnlyTheDiagonalAndStillConverges() {
        ToyCell cell = new org.pararnn.api.toy.DenseTanhCell(3, 8, 0.8, 21);
        int steps = 400;
        float[] x = Fixtures.gaussian(2 * steps * 3, 1, 22);
        RnnSolver solver = RnnSolver.on(backend).mode(Mode.PARALLEL);
        SolveReport exact = solver.forward(cell, x, 2, steps).report();
        ForwardPass quasi = solver.newton(NewtonOptions.defaults().withQuasi(true)).forward(cell, x, 2, steps);
        SolveReport r = quasi.report();
        assertTrue(r.converged(), r.toString());
        assertTrue(r.detail().startsWith("quasi-Newton (diag J of a dense cell), diagonal scan"), r.detail());
        assertTrue(r.iterations() > exact.iterations(), "dropping off-diagonal terms costs iterations: " + r + " vs " + exact);
        double err = Fixtures.relativeError(quasi.states(), Float64Reference.forward(cell, x, 2, steps, null));
        assertTrue(err <= 1e-5, "error " + err);
    }

    @Test
    void dampedNewtonConverges() {
        ToyCell cell = new TanhBlockCell(4, 1, 6, 0.9, 9);
        int steps = 500;
        float[] x = Fixtures.gaussian(steps * 4, 1, 10);
        SolveReport r = RnnSolver.on(backend).mode(Mode.PARALLEL)
                .newton(NewtonOptions.defaults().withDamping(0.7f)).forward(cell, x, 1, steps).report();
        SolveReport undamped = RnnSolver.on(backend).mode(Mode.PARALLEL).forward(cell, x, 1, steps).report();
        assertTrue(r.converged(), r.toString());
        assertTrue(r.iterations() > undamped.iterations(), "damping slows Newton down: " + r + " vs " + undamped);
    }

    @Test
    void reportIsHonest() {
        ToyCell cell = new TanhBlockCell(4, 1, 6, 0.9, 11);
        int steps = 1000;
        float[] x = Fixtures.gaussian(steps * 4, 1, 12);
        SolveReport r = RnnSolver.on(backend).mode(Mode.PARALLEL).forward(cell, x, 1, steps).report();
        double[] h = r.residuals();
        assertEquals(r.iterations() + 1, h.length, "one residual per iterate, the initial guess included");
        assertTrue(h[0] > 1e-3, "the initial guess is not the solution");
        assertTrue(r.finalResidual() <= 1e-6, r.toString());
        assertEquals(-1, r.fallbackFromStep());
        assertNull(r.fallbackReason());
        assertEquals("reference", r.backend());
        assertTrue(r.nanos() > 0);
    }

    @Test
    void chunkedStreamEqualsWholeSequenceForwardAndBackward() {
        ToyCell cell = new TanhBlockCell(3, 2, 4, 0.7, 13);
        int batch = 2, steps = 300, cut = 110;
        int n = cell.inputWidth(), s = cell.stateWidth();
        float[] x = Fixtures.gaussian(batch * steps * n, 1, 14);
        float[] gy = Fixtures.gaussian(batch * steps * s, 1, 15);
        float[] x1 = new float[batch * cut * n];
        float[] x2 = new float[batch * (steps - cut) * n];
        float[] gy1 = new float[batch * cut * s];
        float[] gy2 = new float[batch * (steps - cut) * s];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(x, b * steps * n, x1, b * cut * n, cut * n);
            System.arraycopy(x, (b * steps + cut) * n, x2, b * (steps - cut) * n, (steps - cut) * n);
            System.arraycopy(gy, b * steps * s, gy1, b * cut * s, cut * s);
            System.arraycopy(gy, (b * steps + cut) * s, gy2, b * (steps - cut) * s, (steps - cut) * s);
        }
        RnnSolver solver = RnnSolver.on(backend).mode(Mode.SEQUENTIAL);
        ForwardPass whole = solver.forward(cell, x, batch, steps);
        ForwardPass first = solver.forward(cell, x1, batch, cut);
        ForwardPass second = solver.forward(cell, x2, batch, steps - cut, first.finalState());
        assertArrayEquals(whole.finalState(), second.finalState(), "sequential chunking is bit-exact");

        BackwardPass bw = solver.backward(whole, gy);
        Gradients acc = Gradients.of(cell);
        BackwardPass b2 = solver.backward(second, gy2, null, acc);
        BackwardPass b1 = solver.backward(first, gy1, b2.gradInitialState(), acc);
        assertTrue(Fixtures.relativeError(b1.gradInitialState(), bw.gradInitialState()) <= 1e-5);
        for (Tensor g : bw.gradients().tensors()) {
            double err = Fixtures.relativeError(acc.get(g.name()).data(), g.data());
            assertTrue(err <= 1e-5, g.name() + " " + err);
        }
    }

    @Test
    void autoOnASingleThreadPicksSequentialAndSaysWhy() {
        ToyCell cell = new TanhBlockCell(2, 1, 3, 0.5, 1);
        SolveReport r = RnnSolver.on(backend).forward(cell, new float[2 * 10 * 2], 2, 10).report();
        assertEquals(Mode.AUTO, r.requested());
        assertEquals(Mode.SEQUENTIAL, r.used());
        assertTrue(r.detail().startsWith("AUTO: 1 thread(s)"), r.detail());
    }

    @Test
    void fusedWithoutKernelsFailsNamingTheCell() {
        ToyCell cell = new TanhBlockCell(2, 1, 3, 0.5, 1);
        var e = assertThrows(UnsupportedOperationException.class,
                () -> RnnSolver.on(backend).mode(Mode.FUSED).forward(cell, new float[20], 1, 10));
        assertEquals("backend 'reference' has no fused solver for cell type 'test.tanh-block1'; use mode PARALLEL or SEQUENTIAL",
                e.getMessage());
    }
}
