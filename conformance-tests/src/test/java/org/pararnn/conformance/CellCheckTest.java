package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;
import org.pararnn.api.check.CellCheck;
import org.pararnn.api.ops.Ops;
import org.pararnn.cells.DenseGRU;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;

/**
 * {@link CellCheck} passes the built-in cells and catches each kind of mistake a hand-written cell makes: a
 * Jacobian off by a factor, a Jacobian wider than its declared structure, a missing parameter gradient, a
 * wrong input gradient of the projection.
 */
class CellCheckTest {

    @Test
    void theBuiltInCellsPass() {
        for (Cell c : List.of(ParaGRU.create(6, 8, 2, 11), ParaLSTM.create(6, 4, 2, 12), DenseGRU.create(3, 5, 1.5, 13))) {
            CellCheck.Report r = CellCheck.verify(c);
            assertTrue(r.passed(), r.toString());
            assertTrue(r.compared() > 100 && r.worst() < 1e-4, r.toString());
        }
    }

    @Test
    void aJacobianOffByAFactorIsCaughtEntryByEntry() {
        Cell broken = new Wrapped(ParaGRU.create(4, 6, 1, 3)) {
            @Override
            public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
                super.linearize(hPrev, hOff, u, uOff, f, fOff, jac, jOff);
                jac[jOff + 2] *= 1.05f;
            }
        };
        CellCheck.Report r = CellCheck.verify(broken);
        assertFalse(r.passed());
        assertTrue(r.toString().contains("∂f/∂h (diagonal) [2][2]"), r.toString());
    }

    @Test
    void aJacobianWiderThanItsDeclaredStructureIsCaught() {
        // DenseGRU's features couple; declared diagonal, its off-diagonal entries are missing from J.
        DenseGRU dense = DenseGRU.create(3, 4, 1.5, 5);
        Cell lying = new Wrapped(dense) {
            @Override
            public JacobianStructure jacobianStructure() {
                return JacobianStructure.diagonal();
            }

            @Override
            public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
                float[] full = new float[16];
                super.linearize(hPrev, hOff, u, uOff, f, fOff, full, 0);
                JacobianStructure.dense().extractDiagonal(full, 0, jac, jOff, 4);
            }

            @Override
            public void linearizeDiagonal(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] diag,
                                          int dOff) {
                linearize(hPrev, hOff, u, uOff, f, fOff, diag, dOff);
            }
        };
        CellCheck.Report r = CellCheck.verify(lying);
        assertFalse(r.passed());
        assertTrue(r.toString().contains("∂f/∂h (diagonal) [0][1]"), r.toString());
    }

    @Test
    void aMissingParameterGradientIsCaught() {
        Cell broken = new Wrapped(ParaLSTM.create(4, 3, 1, 7)) {
            @Override
            public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff, float[] gradU, int guOff,
                                     Gradients grads) {
                Gradients scratch = Gradients.of(this);
                super.backwardStep(hPrev, hOff, u, uOff, lambda, lOff, gradU, guOff, scratch);
                float[] a = scratch.data("A");
                float[] into = grads.data("A");
                for (int i = 0; i < a.length; i++) {
                    into[i] += a[i];
                }
                // C's gradient dropped.
            }
        };
        CellCheck.Report r = CellCheck.verify(broken);
        assertFalse(r.passed());
        assertTrue(r.toString().contains("λᵀ∂f/∂θ of backwardStep C["), r.toString());
        assertFalse(r.toString().contains("backwardStep A["), r.toString());
    }

    @Test
    void aWrongInputGradientOfTheProjectionIsCaught() {
        Cell broken = new Wrapped(ParaGRU.create(4, 6, 2, 9)) {
            @Override
            public void projectBackward(Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows) {
                super.projectBackward(ops, x, gradU, gradX, grads, rows);
                if (gradX != null) {
                    gradX[1] = -gradX[1];
                }
            }
        };
        CellCheck.Report r = CellCheck.verify(broken);
        assertFalse(r.passed());
        assertTrue(r.toString().contains("μᵀ∂P/∂x of projectBackward [1]"), r.toString());
    }

    /** A cell that forwards everything to another, for breaking one method at a time. */
    private static class Wrapped implements Cell {
        private final Cell inner;

        Wrapped(Cell inner) {
            this.inner = inner;
        }

        @Override
        public String type() {
            return "test.wrapped";
        }

        @Override
        public int inputWidth() {
            return inner.inputWidth();
        }

        @Override
        public int projectedWidth() {
            return inner.projectedWidth();
        }

        @Override
        public int stateWidth() {
            return inner.stateWidth();
        }

        @Override
        public int outputOffset() {
            return inner.outputOffset();
        }

        @Override
        public int outputWidth() {
            return inner.outputWidth();
        }

        @Override
        public JacobianStructure jacobianStructure() {
            return inner.jacobianStructure();
        }

        @Override
        public List<Tensor> parameters() {
            return inner.parameters();
        }

        @Override
        public void project(Ops ops, float[] x, float[] u, int rows) {
            inner.project(ops, x, u, rows);
        }

        @Override
        public void projectBackward(Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows) {
            inner.projectBackward(ops, x, gradU, gradX, grads, rows);
        }

        @Override
        public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
            inner.step(hPrev, hOff, u, uOff, out, outOff);
        }

        @Override
        public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
            inner.linearize(hPrev, hOff, u, uOff, f, fOff, jac, jOff);
        }

        @Override
        public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff, float[] gradU, int guOff,
                                 Gradients grads) {
            inner.backwardStep(hPrev, hOff, u, uOff, lambda, lOff, gradU, guOff, grads);
        }
    }
}
