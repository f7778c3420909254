package org.pararnn.cells;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.Cell;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.reference.ReferenceBackend;
import org.pararnn.cells.f64.F64Cell;
import org.pararnn.cells.f64.F64DenseGRU;
import org.pararnn.cells.f64.F64ParaGRU;
import org.pararnn.cells.f64.F64ParaLSTM;
import org.pararnn.cells.f64.F64Sequence;

/**
 * Every mode of the float32 cells against the independent float64 implementations: relative L2 error
 * of {@code y}, {@code ∂L/∂x}, {@code ∂L/∂h0} and every parameter gradient ≤ 1e-5 for T ≤ 1024 and
 * ≤ 1e-4 for T = 65 536 (issue 3's bounds; float32 round-off grows with the number of accumulated
 * terms, which is what the looser long-sequence bound allows for).
 */
class CellModesTest {
    static final double TOL = 1e-5;
    static final double TOL_LONG = 1e-4;
    final ReferenceBackend backend = new ReferenceBackend();

    record Case(String name, Cell cell, F64Cell ref, int batch, int steps) {
        @Override
        public String toString() {
            return name + " B=" + batch + " T=" + steps;
        }
    }

    static List<Case> cases() {
        List<Case> out = new ArrayList<>();
        long seed = 1;
        for (int heads : new int[] {1, 2, 4}) {
            for (int batch : new int[] {1, 3}) {
                for (int steps : new int[] {1, 17, 1024}) {
                    ParaGRU gru = ParaGRU.create(12, 8, heads, seed++);
                    out.add(new Case("ParaGRU N=12 D=8 H=" + heads, gru, new F64ParaGRU(gru), batch, steps));
                    ParaLSTM lstm = ParaLSTM.create(8, 12, heads, seed++);
                    out.add(new Case("ParaLSTM N=8 D=12 H=" + heads, lstm, new F64ParaLSTM(lstm), batch, steps));
                }
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyModeMatchesFloat64(Case c) {
        check(c, Mode.SEQUENTIAL, NewtonOptions.defaults(), TOL);
        check(c, Mode.PARALLEL, NewtonOptions.defaults(), TOL);
    }

    @Test
    void longSequencesStayWithinTheLooserBound() {
        ParaGRU gru = ParaGRU.create(4, 8, 2, 42);
        ParaLSTM lstm = ParaLSTM.create(4, 8, 2, 43);
        for (Case c : List.of(new Case("ParaGRU", gru, new F64ParaGRU(gru), 1, 65_536),
                new Case("ParaLSTM", lstm, new F64ParaLSTM(lstm), 1, 65_536))) {
            check(c, Mode.SEQUENTIAL, NewtonOptions.defaults(), TOL_LONG);
            check(c, Mode.PARALLEL, NewtonOptions.defaults(), TOL_LONG);
        }
    }

    @Test
    void denseGruByExactAndQuasiNewton() {
        for (int steps : new int[] {1, 17, 512}) {
            DenseGRU cell = DenseGRU.create(5, 6, 1.0, steps);
            Case c = new Case("DenseGRU", cell, new F64DenseGRU(cell), 2, steps);
            check(c, Mode.SEQUENTIAL, NewtonOptions.defaults(), TOL);
            check(c, Mode.PARALLEL, NewtonOptions.defaults(), TOL);
            check(c, Mode.PARALLEL, NewtonOptions.defaults().withQuasi(true), TOL);
        }
    }

    void check(Case c, Mode mode, NewtonOptions opts, double tol) {
        Cell cell = c.cell;
        int n = cell.inputWidth();
        float[] x = Data.gaussian(c.batch * c.steps * n, 1, c.steps + 7L * n);
        float[] h0 = Data.gaussian(c.batch * cell.stateWidth(), 0.3, 5);
        float[] gy = Data.gaussian(c.batch * c.steps * cell.outputWidth(), 1, 6);
        F64Sequence ref = F64Sequence.run(c.ref, x, c.batch, c.steps, h0, gy);

        RnnSolver solver = RnnSolver.on(backend).mode(mode).newton(opts);
        ForwardPass fwd = solver.forward(cell, x, c.batch, c.steps, h0);
        String what = c + " " + mode + (opts.quasi() ? " quasi" : "") + " [" + fwd.report() + "]";
        assertTrue(fwd.report().converged(), what);
        assertBelow(tol, Data.relError(fwd.output(), ref.output), what + " y");
        BackwardPass bwd = solver.backward(fwd, gy, null, Gradients.of(cell));
        assertBelow(tol, Data.relError(bwd.gradInput(), ref.gradX), what + " grad x");
        assertBelow(tol, Data.relError(bwd.gradInitialState(), ref.gradH0), what + " grad h0");
        for (Tensor g : bwd.gradients().tensors()) {
            assertBelow(tol, Data.relError(g.data(), ref.grads.get(g.name())), what + " grad " + g.name());
        }
    }

    static void assertBelow(double tol, double err, String what) {
        assertTrue(err <= tol, what + ": relative error " + err + " > " + tol);
    }
}
