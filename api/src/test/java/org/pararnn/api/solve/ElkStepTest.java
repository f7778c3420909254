package org.pararnn.api.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Cell;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.reference.ReferenceScan;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.toy.DenseTanhCell;
import org.pararnn.api.toy.TanhBlockCell;

/**
 * {@link ElkStep} against the problem it claims to solve, built and solved independently in float64: the
 * least-squares system {@code Σ_{t>start} ‖h_t − J_t h_{t−1} − c_t‖² + λ‖h_t − y_t‖²} with
 * {@code h_start = J_start h_{start−1} + c_start}, as dense normal equations by Gaussian elimination.
 */
class ElkStepTest {

    @Test
    void theKalmanSmootherSolvesTheLevenbergMarquardtProblemOnEveryStructure() {
        Cell[] cells = {new TanhBlockCell(1, 1, 4, 1, 1), new TanhBlockCell(1, 2, 2, 1, 1), new TanhBlockCell(1, 3, 2, 1, 1),
                new DenseTanhCell(1, 4, 1, 1)};
        for (Cell cell : cells) {
            for (double lambda : new double[] {0.05, 0.7, 20}) {
                for (int start : new int[] {0, 3}) {
                    check(cell, lambda, start);
                }
            }
        }
    }

    private static void check(Cell cell, double lambda, int start) {
        int batch = 2;
        int steps = 9;
        int s = cell.stateWidth();
        JacobianStructure structure = cell.jacobianStructure();
        int c = structure.coefficientsPerStep(s);
        SplittableRandom rnd = new SplittableRandom(31 + start);
        float[] jac = new float[batch * steps * c];
        float[] offsets = new float[batch * steps * s];
        float[] states = new float[batch * steps * s];
        float[] init = new float[batch * s];
        fill(jac, rnd, 1.4 / Math.sqrt(Math.max(1, c / (double) s)));
        fill(offsets, rnd, 1);
        fill(states, rnd, 1);
        fill(init, rnd, 1);
        Recurrence p = new Recurrence(cell, batch, steps, new float[batch * steps * cell.projectedWidth()], init,
                NewtonOptions.defaults());
        Rows rows = new Rows(p);
        float[] carry = new float[batch * s];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(rows.prevArray(states, start), rows.prevOffset(b, start), carry, b * s, s);
        }
        float[] before = states.clone();
        new ElkStep(structure, rows, new ReferenceScan(), ParallelLoop.SEQUENTIAL).apply(states, offsets, jac, carry, start, lambda);
        for (int b = 0; b < batch; b++) {
            double[] expected = solve(structure, s, c, steps, b, start, jac, offsets, before, carry, lambda);
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < s; i++) {
                    int e = (b * steps + t) * s + i;
                    if (t < start) {
                        assertEquals(before[e], states[e], 0f, "the converged prefix is not touched");
                    } else {
                        double want = expected[(t - start) * s + i];
                        assertTrue(Math.abs(states[e] - want) <= 2e-5 * Math.max(1, Math.abs(want)),
                                structure.describe() + " λ=" + lambda + " start=" + start + " [" + b + "," + t + "," + i + "]: "
                                        + states[e] + " vs float64 " + want);
                    }
                }
            }
        }
    }

    /** The window's states {@code [start, T)} of batch element {@code b}, in float64. */
    private static double[] solve(JacobianStructure structure, int s, int c, int steps, int b, int start, float[] jac,
                                  float[] offsets, float[] y, float[] carry, double lambda) {
        double[][][] dense = new double[steps][][];
        for (int t = start; t < steps; t++) {
            dense[t] = denseJacobian(structure, jac, (b * steps + t) * c, s);
        }
        double[] first = new double[s];
        for (int i = 0; i < s; i++) {
            double v = offsets[(b * steps + start) * s + i];
            for (int j = 0; j < s; j++) {
                v += dense[start][i][j] * carry[b * s + j];
            }
            first[i] = v;
        }
        int free = steps - start - 1;
        int n = free * s;
        double[][] normal = new double[n][n];
        double[] rhs = new double[n];
        // Row blocks of A: for t > start, h_t − J_t h_{t−1} = c_t (h_start known); √λ h_t = √λ y_t.
        for (int t = start + 1; t < steps; t++) {
            for (int i = 0; i < s; i++) {
                double[] row = new double[n];
                double target = offsets[(b * steps + t) * s + i];
                row[(t - start - 1) * s + i] = 1;
                for (int j = 0; j < s; j++) {
                    if (t - 1 == start) {
                        target += dense[t][i][j] * first[j];
                    } else {
                        row[(t - start - 2) * s + j] -= dense[t][i][j];
                    }
                }
                accumulate(normal, rhs, row, target);
                double[] prox = new double[n];
                prox[(t - start - 1) * s + i] = Math.sqrt(lambda);
                accumulate(normal, rhs, prox, Math.sqrt(lambda) * y[(b * steps + t) * s + i]);
            }
        }
        double[] x = gauss(normal, rhs);
        double[] out = new double[(steps - start) * s];
        System.arraycopy(first, 0, out, 0, s);
        System.arraycopy(x, 0, out, s, n);
        return out;
    }

    private static double[][] denseJacobian(JacobianStructure structure, float[] jac, int off, int s) {
        double[][] m = new double[s][s];
        float[] unit = new float[s];
        float[] col = new float[s];
        for (int j = 0; j < s; j++) {
            java.util.Arrays.fill(unit, 0f);
            unit[j] = 1f;
            structure.multiply(jac, off, unit, 0, col, 0, s);
            for (int i = 0; i < s; i++) {
                m[i][j] = col[i];
            }
        }
        return m;
    }

    private static void accumulate(double[][] normal, double[] rhs, double[] row, double target) {
        for (int i = 0; i < row.length; i++) {
            if (row[i] == 0) {
                continue;
            }
            rhs[i] += row[i] * target;
            for (int j = 0; j < row.length; j++) {
                normal[i][j] += row[i] * row[j];
            }
        }
    }

    private static double[] gauss(double[][] a, double[] b) {
        int n = b.length;
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
                    pivot = r;
                }
            }
            double[] tr = a[col];
            a[col] = a[pivot];
            a[pivot] = tr;
            double tb = b[col];
            b[col] = b[pivot];
            b[pivot] = tb;
            for (int r = col + 1; r < n; r++) {
                double f = a[r][col] / a[col][col];
                for (int k = col; k < n; k++) {
                    a[r][k] -= f * a[col][k];
                }
                b[r] -= f * b[col];
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double v = b[r];
            for (int k = r + 1; k < n; k++) {
                v -= a[r][k] * x[k];
            }
            x[r] = v / a[r][r];
        }
        return x;
    }

    private static void fill(float[] a, SplittableRandom rnd, double scale) {
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((2 * rnd.nextDouble() - 1) * scale);
        }
    }
}
