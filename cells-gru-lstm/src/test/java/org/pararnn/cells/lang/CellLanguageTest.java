package org.pararnn.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pararnn.cells.lang.Expr.input;
import static org.pararnn.cells.lang.Expr.param;
import static org.pararnn.cells.lang.Expr.state;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.Cell;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.check.CellCheck;
import org.pararnn.api.reference.ReferenceBackend;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;

/**
 * The cell language: the reference cells written in it agree with the hand-written ones (forward and every
 * gradient, sequential and Newton) within 1e-6, structures are inferred, every library cell passes
 * {@link CellCheck}, and bad specs are refused naming the expression.
 */
class CellLanguageTest {

    @Test
    void everyLibraryCellPassesTheCellCheckWithItsInferredStructure() {
        Map<String, JacobianStructure> expected = Map.of("paragru", JacobianStructure.diagonal(), "paralstm",
                JacobianStructure.blockDiagonal(2), "mingru", JacobianStructure.diagonal(), "minlstm", JacobianStructure.diagonal(), "tanhrnn", JacobianStructure.diagonal(), "gru", JacobianStructure.dense(), "rotation", JacobianStructure.blockDiagonal(2));
        for (Map.Entry<String, CellSpec> e : CellLibrary.all().entrySet()) {
            assertEquals(expected.get(e.getKey()), e.getValue().structure(), e.getKey());
            ExpressionCell cell = e.getValue().cell(6, 8, 2, 5);
            CellCheck.Report r = CellCheck.verify(cell);
            assertTrue(r.passed(), r.toString());
        }
    }

    @Test
    void paraGruInTheLanguageMatchesTheHandWrittenOne() {
        ParaGRU hand = ParaGRU.create(6, 10, 2, 21);
        ExpressionCell lang = CellLibrary.paraGru().cell(6, 10, 2, 1);
        copy(hand, lang);
        agree(hand, lang, 3, 40);
    }

    @Test
    void paraLstmInTheLanguageMatchesTheHandWrittenOne() {
        ParaLSTM hand = ParaLSTM.create(6, 5, 1, 22);
        ExpressionCell lang = CellLibrary.paraLstm().cell(6, 5, 1, 1);
        copy(hand, lang);
        assertEquals(hand.outputOffset(), lang.outputOffset());
        assertEquals(hand.outputWidth(), lang.outputWidth());
        agree(hand, lang, 2, 30);
    }

    @Test
    void badSpecsAreRefusedNamingTheExpression() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CellSpec.builder("bad.param", 1, 1).next(0, param("W", 0).times(state(0))).build());
        assertTrue(e.getMessage().contains("W[0]") && e.getMessage().contains("not declared"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CellSpec.builder("bad.div", 1, 1).next(0, state(0).div(Expr.constant(2).minus(Expr.constant(2)))).build());
        assertTrue(e.getMessage().contains("h0/0") && e.getMessage().contains("divides by the constant 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CellSpec.builder("bad.gate", 2, 1).next(0, state(0).plus(input(2))).build());
        assertTrue(e.getMessage().contains("u2") && e.getMessage().contains("has 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CellSpec.builder("bad.block", 1, 2).next(0, state(0)).build());
        assertTrue(e.getMessage().contains("block 1 has no next value"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CellLibrary.minGru().cell(6, 9, 2, 1));
        assertTrue(e.getMessage().contains("D = 9") && e.getMessage().contains("H = 2"), e.getMessage());
    }

    /** A language cell whose block reads another gets the block structure; the solvers then run it in every mode. */
    @Test
    void coupledBlocksGetBlockStructureAndSolveInEveryMode() {
        CellSpec coupled = CellSpec.builder("test.rotation", 2, 2).parameter("a", 1, 0.6)
                .next(0, Expr.tanh(param("a", 0).times(state(0)).minus(param("a", 0).times(state(1))).plus(input(0))))
                .next(1, Expr.tanh(param("a", 0).times(state(1)).plus(param("a", 0).times(state(0))).plus(input(1))))
                .build();
        assertEquals(JacobianStructure.blockDiagonal(2), coupled.structure());
        ExpressionCell cell = coupled.cell(4, 3, 1, 3);
        assertTrue(CellCheck.verify(cell).passed(), CellCheck.verify(cell).toString());
        float[] x = gaussian(2 * 50 * 4, 9);
        RnnSolver seq = RnnSolver.on(new ReferenceBackend()).mode(Mode.SEQUENTIAL);
        RnnSolver newton = RnnSolver.on(new ReferenceBackend()).mode(Mode.PARALLEL);
        float[] a = seq.forward(cell, x, 2, 50).output();
        ForwardPass b = newton.forward(cell, x, 2, 50);
        assertTrue(b.report().converged(), b.report().toString());
        assertTrue(maxRel(a, b.output()) < 1e-5, "Newton vs sequential: " + maxRel(a, b.output()));
    }

    /**
     * The dense GRU: Newton over the whole sequence (dense scan) agrees with the sequential walk, forward and
     * backward, and a spec that multiplies by an undeclared matrix is refused.
     */
    @Test
    void aFullyCoupledCellIsInferredDenseAndSolvesInEveryMode() {
        ExpressionCell cell = CellLibrary.gru().cell(4, 5, 1, 11);
        assertEquals(JacobianStructure.dense(), cell.jacobianStructure());
        float[] x = gaussian(2 * 60 * 4, 12);
        float[] gy = gaussian(2 * 60 * 5, 13);
        RnnSolver seq = RnnSolver.on(new ReferenceBackend()).mode(Mode.SEQUENTIAL);
        RnnSolver newton = RnnSolver.on(new ReferenceBackend()).mode(Mode.PARALLEL);
        ForwardPass a = seq.forward(cell, x, 2, 60);
        ForwardPass b = newton.forward(cell, x, 2, 60);
        assertTrue(b.report().converged(), b.report().toString());
        assertTrue(maxRel(a.output(), b.output()) < 1e-5, "Newton vs sequential: " + maxRel(a.output(), b.output()));
        BackwardPass ga = seq.backward(a, gy);
        BackwardPass gb = newton.backward(b, gy);
        assertTrue(maxRel(ga.gradInput(), gb.gradInput()) < 1e-5, "grad x: " + maxRel(ga.gradInput(), gb.gradInput()));
        for (Tensor g : ga.gradients().tensors()) {
            assertTrue(maxRel(g.data(), gb.gradients().data(g.name())) < 1e-4, "grad " + g.name());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CellSpec.builder("bad.matrix", 1, 1).next(0, Expr.matvec("W", 0).plus(input(0))).build());
        assertTrue(e.getMessage().contains("W·h0") && e.getMessage().contains("not a declared matrix"), e.getMessage());
    }

    private static void agree(Cell hand, Cell lang, int batch, int steps) {
        float[] x = gaussian(batch * steps * hand.inputWidth(), 7);
        float[] h0 = gaussian(batch * hand.stateWidth(), 8);
        float[] gy = gaussian(batch * steps * hand.outputWidth(), 9);
        for (Mode mode : new Mode[] {Mode.SEQUENTIAL, Mode.PARALLEL}) {
            RnnSolver solver = RnnSolver.on(new ReferenceBackend()).mode(mode);
            ForwardPass fh = solver.forward(hand, x, batch, steps, h0);
            ForwardPass fl = solver.forward(lang, x, batch, steps, h0);
            assertTrue(maxRel(fh.output(), fl.output()) <= 1e-6, mode + " y: " + maxRel(fh.output(), fl.output()));
            BackwardPass bh = solver.backward(fh, gy);
            BackwardPass bl = solver.backward(fl, gy);
            assertTrue(maxRel(bh.gradInput(), bl.gradInput()) <= 1e-6, mode + " grad x: " + maxRel(bh.gradInput(), bl.gradInput()));
            for (Tensor g : bh.gradients().tensors()) {
                float[] other = bl.gradients().data(g.name());
                assertTrue(maxRel(g.data(), other) <= 1e-6, mode + " grad " + g.name() + ": " + maxRel(g.data(), other));
            }
        }
    }

    /** The hand cell's parameters into the language cell's tensors of the same names. */
    private static void copy(ParaCell hand, ExpressionCell lang) {
        for (Tensor t : hand.parameters()) {
            Tensor into = lang.parameters().stream().filter(p -> p.name().equals(t.name())).findFirst().orElseThrow();
            System.arraycopy(t.data(), 0, into.data(), 0, t.size());
        }
    }

    /** Largest |a − b| over the largest |a| (1 at least). */
    private static double maxRel(float[] a, float[] b) {
        double scale = 1;
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            worst = Math.max(worst, Math.abs((double) a[i] - b[i]));
        }
        return worst / scale;
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.7 * r.nextGaussian());
        }
        return v;
    }
}
