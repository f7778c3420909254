package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Cell;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;
import org.pararnn.cells.DenseGRU;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.f64.F64Cell;
import org.pararnn.conformance.f64.F64DenseGRU;
import org.pararnn.conformance.f64.F64ParaGRU;
import org.pararnn.conformance.f64.F64ParaLSTM;
import org.pararnn.conformance.f64.F64Sequence;

/**
 * Finite differences in float64: (1) the float32 analytic Jacobians {@code ∂f/∂h} of every cell, entry by
 * entry, against central differences of the float64 step; (2) the float64 backward (the reference the
 * mode tests trust) against central differences of the float64 loss, for sampled entries of {@code x},
 * {@code h0} and every parameter.
 */
class FiniteDifferenceTest {

    record Pair(Cell cell, F64Cell ref) {
    }

    static List<Pair> cells() {
        ParaGRU gru = ParaGRU.create(6, 8, 2, 11);
        ParaLSTM lstm = ParaLSTM.create(6, 4, 2, 12);
        DenseGRU dense = DenseGRU.create(3, 5, 1.5, 13);
        List<Pair> out = new java.util.ArrayList<>(List.of(new Pair(gru, new F64ParaGRU(gru)), new Pair(lstm, new F64ParaLSTM(lstm)),
                new Pair(dense, new F64DenseGRU(dense))));
        for (org.pararnn.cells.lang.ExpressionCell lang : CellCase.languageCells(14)) {
            out.add(new Pair(lang, new org.pararnn.conformance.f64.F64Expression(lang)));
        }
        return out;
    }

    @Test
    void analyticJacobiansMatchFloat64FiniteDifferences() {
        for (Pair p : cells()) {
            Cell cell = p.cell;
            int s = cell.stateWidth();
            JacobianStructure st = cell.jacobianStructure();
            for (int trial = 0; trial < 5; trial++) {
                float[] h = KitData.gaussian(s, 0.8, trial);
                float[] u = KitData.gaussian(cell.projectedWidth(), 1, 100 + trial);
                float[] f = new float[s];
                float[] jac = new float[st.coefficientsPerStep(s)];
                cell.linearize(h, 0, u, 0, f, 0, jac, 0);
                float[] diag = new float[s];
                cell.linearizeDiagonal(h, 0, u, 0, new float[s], 0, diag, 0);
                double[] hd = F64Sequence.row(h, 0, s);
                double[] ud = F64Sequence.row(u, 0, u.length);
                double eps = 1e-6;
                for (int j = 0; j < s; j++) {
                    double[] up = hd.clone();
                    double[] dn = hd.clone();
                    up[j] += eps;
                    dn[j] -= eps;
                    double[] fu = p.ref.step(up, ud);
                    double[] fd = p.ref.step(dn, ud);
                    float[] ej = new float[s];
                    ej[j] = 1f;
                    float[] col = new float[s];
                    st.multiply(jac, 0, ej, 0, col, 0, s);
                    for (int i = 0; i < s; i++) {
                        double num = (fu[i] - fd[i]) / (2 * eps);
                        String what = cell.type() + " J[" + i + "][" + j + "]";
                        assertTrue(Math.abs(col[i] - num) <= 1e-5 * Math.max(1, Math.abs(num)),
                                what + ": analytic " + col[i] + " vs finite difference " + num);
                        if (i == j) {
                            assertTrue(Math.abs(diag[i] - num) <= 1e-5 * Math.max(1, Math.abs(num)), what + " (diagonal)");
                        }
                    }
                }
            }
        }
    }

    @Test
    void float64BackwardMatchesFiniteDifferencesOfTheLoss() {
        int batch = 2;
        int steps = 9;
        for (Pair p : cells()) {
            Cell cell = p.cell;
            float[] x = KitData.gaussian(batch * steps * cell.inputWidth(), 1, 3);
            float[] h0 = KitData.gaussian(batch * cell.stateWidth(), 0.3, 4);
            float[] gy = KitData.gaussian(batch * steps * cell.outputWidth(), 1, 5);
            F64Sequence ref = F64Sequence.run(p.ref, x, batch, steps, h0, gy);
            Random pick = new Random(7);
            for (int k = 0; k < 6; k++) {
                int xi = pick.nextInt(x.length);
                check(cell.type() + " x[" + xi + "]", ref.gradX[xi], x, xi, () -> F64Sequence.loss(p.ref, x, batch, steps, h0, gy));
                int hi = pick.nextInt(h0.length);
                check(cell.type() + " h0[" + hi + "]", ref.gradH0[hi], h0, hi, () -> F64Sequence.loss(p.ref, x, batch, steps, h0, gy));
                for (Tensor t : cell.parameters()) {
                    int i = pick.nextInt(t.size());
                    Map<String, double[]> g = ref.grads;
                    check(cell.type() + " " + t.name() + "[" + i + "]", g.get(t.name())[i], t.data(), i,
                            () -> F64Sequence.loss(p.ref, x, batch, steps, h0, gy));
                }
            }
        }
    }

    /**
     * Central differences in one float entry at two steps, combined by Richardson extrapolation (truncation
     * O(ε⁴): a recurrence that reads the entry at every step, like a tanh RNN's weight, has a large third
     * derivative); each step is the exact float difference. Bound 1e-5 relative.
     */
    static void check(String what, double analytic, float[] arr, int i, java.util.function.DoubleSupplier loss) {
        float saved = arr[i];
        float eps = 1e-3f * Math.max(1f, Math.abs(saved));
        double wide = central(arr, i, eps, loss);
        double narrow = central(arr, i, eps / 2, loss);
        double fd = (4 * narrow - wide) / 3;
        double err = Math.abs(analytic - fd) / Math.max(Math.abs(fd), 1e-3);
        assertTrue(err <= 1e-5, what + ": float64 backward " + analytic + " vs finite difference " + fd + " (err " + err + ")");
    }

    private static double central(float[] arr, int i, float eps, java.util.function.DoubleSupplier loss) {
        float saved = arr[i];
        arr[i] = saved + eps;
        double up = loss.getAsDouble();
        float hiV = arr[i];
        arr[i] = saved - eps;
        double down = loss.getAsDouble();
        float loV = arr[i];
        arr[i] = saved;
        return (up - down) / ((double) hiV - (double) loV);
    }
}
