package org.pararnn.api.solve;

import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.ScanProblem;

/**
 * One ELK step (docs/design.md §1, "ELK"): the Levenberg–Marquardt step
 * <pre>  argmin_h Σ_t ‖h_t − J_t h_{t−1} − c_t‖² + λ Σ_t ‖h_t − y_t‖²</pre>
 * over the window {@code [start, T)}, where {@code y} is the current iterate and {@code c_t = f_t − J_t y_{t−1}}
 * the linearisation's offset. It is the posterior mean of a linear-Gaussian state-space model (dynamics
 * {@code h_t = J_t h_{t−1} + c_t} with unit process noise, observations {@code y_t} with noise {@code 1/λ}), so a
 * Kalman filter and a Rauch–Tung–Striebel smoother solve it exactly:
 * <ul>
 *   <li>covariances, per lane (a {@code k×k} block of the structure; {@code k = 1} for diagonal and quasi), in double:
 *       {@code P⁻_t = J_t P_{t−1} J_tᵀ + I}, {@code P_t = (I + λP⁻_t)⁻¹ P⁻_t}, gain {@code K_t = λP_t}, smoother
 *       gain {@code G_t = P_t J_{t+1}ᵀ (P⁻_{t+1})⁻¹}; both inverted matrices are SPD and at least {@code I};</li>
 *   <li>filtered means as one forward scan of the backend: {@code m_t = (I − K_t) J_t m_{t−1} + (I − K_t) c_t + K_t y_t};</li>
 *   <li>smoothed means as one reverse scan: {@code s_t = G_t s_{t+1} + m_t − G_t (J_{t+1} m_t + c_{t+1})}.</li>
 * </ul>
 * The window's first step has no process noise: its previous state is exact (the frontier), so {@code h_start =
 * f(h_{start−1})} is known and the step keeps it exactly, as Newton does. That keeps Newton's bound (each step makes
 * at least one more leading state exact, so at most {@code T} steps) whatever {@code λ}.
 * {@code λ → 0} gives the Newton (DEER) step, {@code λ → ∞} none past the first state. Each lane's covariance recursion runs along
 * time on the host loop, parallel over batch × lanes; it reads only Jacobians, so its cost is the cell's
 * linearisation's order ({@code k³} per block and step), and the state-sized work goes through the scans.
 */
final class ElkStep {
    private final JacobianStructure structure;
    private final Rows rows;
    private final LinearScan scan;
    private final ParallelLoop loop;
    /** Block size and lanes per step: element {@code (i, j)} of lane {@code p} is at {@code (i·k + j)·m + p}. */
    private final int k;
    private final int m;
    private final int s;
    private final int c;
    private final float[] filterA;
    private final float[] smootherA;
    private final float[] means;

    ElkStep(JacobianStructure structure, Rows rows, LinearScan scan, ParallelLoop loop) {
        this.structure = structure;
        this.rows = rows;
        this.scan = scan;
        this.loop = loop;
        this.s = rows.width;
        this.k = switch (structure) {
            case JacobianStructure.Diagonal d -> 1;
            case JacobianStructure.BlockDiagonal b -> b.blocks();
            case JacobianStructure.Dense d -> s;
        };
        this.m = s / k;
        this.c = structure.coefficientsPerStep(s);
        int n = rows.batch * rows.steps;
        this.filterA = new float[n * c];
        this.smootherA = new float[n * c];
        this.means = new float[n * s];
    }

    /**
     * Replaces the window of {@code states} (the iterate {@code y}) by the ELK step's result.
     *
     * @param offsets {@code c_t} on the window's rows (read only)
     * @param jac     {@code J_t} on the window's rows, in the structure's layout (read only)
     * @param carry   the exact state before the window, {@code [B][S]}
     */
    void apply(float[] states, float[] offsets, float[] jac, float[] carry, int start, double lambda) {
        int lanes = rows.batch * m;
        int tasks = Rows.tasks(lanes, loop.parallelism());
        loop.forEach(tasks, task -> {
            Lane lane = k == 1 ? null : new Lane(k);
            for (int l = Rows.split(lanes, tasks, task); l < Rows.split(lanes, tasks, task + 1); l++) {
                if (k == 1) {
                    scalarCovariances(l / m, l % m, states, offsets, jac, start, lambda);
                } else {
                    lane.covariances(l / m, l % m, states, offsets, jac, start, lambda);
                }
            }
        });
        scan.forward(new ScanProblem(structure, rows.batch, rows.steps, s, start, rows.steps, filterA, means, carry, means));
        int active = rows.steps - start;
        int n = rows.batch * active;
        int rowTasks = Rows.tasks(n, loop.parallelism());
        loop.forEach(rowTasks, task -> {
            float[] predicted = new float[s];
            float[] back = new float[s];
            for (int i = Rows.split(n, rowTasks, task); i < Rows.split(n, rowTasks, task + 1); i++) {
                int t = start + i % active;
                if (t == rows.steps - 1) {
                    continue;
                }
                int r = rows.row(i / active, t);
                structure.multiply(jac, (r + 1) * c, means, r * s, predicted, 0, s);
                for (int q = 0; q < s; q++) {
                    predicted[q] += offsets[(r + 1) * s + q];
                }
                structure.multiplyTransposed(smootherA, (r + 1) * c, predicted, 0, back, 0, s);
                for (int q = 0; q < s; q++) {
                    means[r * s + q] -= back[q];
                }
            }
        });
        scan.reverse(new ScanProblem(structure, rows.batch, rows.steps, s, start, rows.steps, smootherA, means, null, states));
    }

    /** The {@code k = 1} recursion (diagonal cells, quasi-ELK): scalars all the way. */
    private void scalarCovariances(int b, int p, float[] states, float[] offsets, float[] jac, int start, double lambda) {
        double cov = 0;
        for (int t = start; t < rows.steps; t++) {
            int r = rows.row(b, t);
            double a = jac[r * c + p];
            double predicted = t == start ? 0 : a * a * cov + 1;
            if (t > start) {
                smootherA[r * c + p] = (float) (a * cov / predicted);
            }
            cov = predicted / (1 + lambda * predicted);
            double keep = 1 - lambda * cov;
            filterA[r * c + p] = (float) (keep * a);
            means[r * s + p] = (float) (keep * offsets[r * s + p] + lambda * cov * states[r * s + p]);
        }
    }

    /** Work space of one task for {@code k×k} lanes (row-major matrices in double). */
    private final class Lane {
        private final int n;
        private final double[] cov;
        private final double[] jt;
        private final double[] predicted;
        private final double[] work;
        private final double[] chol;
        private final double[] rhs;

        Lane(int n) {
            this.n = n;
            int nn = n * n;
            cov = new double[nn];
            jt = new double[nn];
            predicted = new double[nn];
            work = new double[nn];
            chol = new double[nn];
            rhs = new double[nn];
        }

        void covariances(int b, int p, float[] states, float[] offsets, float[] jac, int start, double lambda) {
            java.util.Arrays.fill(cov, 0);
            for (int t = start; t < rows.steps; t++) {
                int r = rows.row(b, t);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        jt[i * n + j] = jac[r * c + (i * k + j) * m + p];
                    }
                }
                // work = J P; predicted = work Jᵀ + I (no noise on the window's first step: it is pinned)
                multiply(jt, cov, work);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double acc = i == j && t > start ? 1 : 0;
                        for (int q = 0; q < n; q++) {
                            acc += work[i * n + q] * jt[j * n + q];
                        }
                        predicted[i * n + j] = acc;
                    }
                }
                if (t > start) {
                    // Gᵀ_{t−1} = (P⁻_t)⁻¹ J_t P_{t−1}: stored at row t, where the reverse scan reads A_{t}ᵀ.
                    System.arraycopy(work, 0, rhs, 0, n * n);
                    cholesky(predicted, chol);
                    solve(chol, rhs);
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            smootherA[r * c + (i * k + j) * m + p] = (float) rhs[i * n + j];
                        }
                    }
                }
                // P_t = (I + λ P⁻)⁻¹ P⁻, symmetrised against rounding.
                for (int i = 0; i < n * n; i++) {
                    work[i] = lambda * predicted[i] + (i % (n + 1) == 0 ? 1 : 0);
                }
                System.arraycopy(predicted, 0, cov, 0, n * n);
                cholesky(work, chol);
                solve(chol, cov);
                for (int i = 0; i < n; i++) {
                    for (int j = i + 1; j < n; j++) {
                        double v = 0.5 * (cov[i * n + j] + cov[j * n + i]);
                        cov[i * n + j] = v;
                        cov[j * n + i] = v;
                    }
                }
                // filter coefficient (I − λP) J and offset (I − λP) c + λ P y
                for (int i = 0; i < n; i++) {
                    double acc = 0;
                    for (int j = 0; j < n; j++) {
                        double keep = (i == j ? 1 : 0) - lambda * cov[i * n + j];
                        double fa = 0;
                        for (int q = 0; q < n; q++) {
                            fa += ((i == q ? 1 : 0) - lambda * cov[i * n + q]) * jt[q * n + j];
                        }
                        filterA[r * c + (i * k + j) * m + p] = (float) fa;
                        int e = r * s + j * m + p;
                        acc += keep * offsets[e] + lambda * cov[i * n + j] * states[e];
                    }
                    means[r * s + i * m + p] = (float) acc;
                }
            }
        }

        private void multiply(double[] a, double[] b, double[] out) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < n; q++) {
                        acc += a[i * n + q] * b[q * n + j];
                    }
                    out[i * n + j] = acc;
                }
            }
        }

        /** Lower-triangular {@code L} with {@code L Lᵀ = a}; {@code a} is SPD (at least {@code I} here). */
        private void cholesky(double[] a, double[] l) {
            java.util.Arrays.fill(l, 0);
            for (int j = 0; j < n; j++) {
                double d = a[j * n + j];
                for (int q = 0; q < j; q++) {
                    d -= l[j * n + q] * l[j * n + q];
                }
                d = Math.sqrt(d);
                l[j * n + j] = d;
                for (int i = j + 1; i < n; i++) {
                    double v = a[i * n + j];
                    for (int q = 0; q < j; q++) {
                        v -= l[i * n + q] * l[j * n + q];
                    }
                    l[i * n + j] = v / d;
                }
            }
        }

        /** {@code x ← (L Lᵀ)⁻¹ x} for the {@code n} columns of {@code x}. */
        private void solve(double[] l, double[] x) {
            for (int col = 0; col < n; col++) {
                for (int i = 0; i < n; i++) {
                    double v = x[i * n + col];
                    for (int q = 0; q < i; q++) {
                        v -= l[i * n + q] * x[q * n + col];
                    }
                    x[i * n + col] = v / l[i * n + i];
                }
                for (int i = n - 1; i >= 0; i--) {
                    double v = x[i * n + col];
                    for (int q = i + 1; q < n; q++) {
                        v -= l[q * n + i] * x[q * n + col];
                    }
                    x[i * n + col] = v / l[i * n + i];
                }
            }
        }
    }
}
