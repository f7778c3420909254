package org.pararnn.api.solve;

import java.util.Arrays;
import java.util.Optional;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.NewtonOutcome;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.api.spi.ScanProblem;

/**
 * Generic Newton over the whole sequence (docs/design.md §1), on any backend's scan.
 *
 * <p>Each iteration evaluates {@code f} and {@code J} at every {@code t} in parallel, measures the
 * residual {@code ‖h − f(shift h)‖_∞}, and solves the linear recurrence
 * {@code h⁺_t = J_t h⁺_{t−1} + (f_t − J_t h_{t−1})} with the backend's scan. Two refinements keep it
 * honest and bounded:
 * <ul>
 *   <li><b>Frontier.</b> The leading states whose residual is within tolerance already satisfy the
 *       recurrence, so the next iteration solves only from the first unconverged step on (the minimum
 *       over the batch), starting from the exact state before it. That step becomes exact, so an
 *       undamped solve converges in at most {@code T} iterations, and late iterations get cheaper.</li>
 *   <li><b>Failure.</b> A non-finite residual, a residual that grows {@code growthPatience} times in a
 *       row, or an exhausted budget ends Newton; by default the converged prefix is kept and the rest
 *       solved sequentially, and the report says from which step and why.</li>
 * </ul>
 * The initial guess is {@code h⁰_t = f(0, u_t)} (and {@code f(h0, u_0)} at {@code t = 0}), as in the paper.
 */
public final class NewtonSolver implements RecurrenceSolver {
    private final String backendName;
    private final LinearScan scan;
    private final ParallelLoop loop;

    public NewtonSolver(Backend backend) {
        this(backend.name(), backend.scan(), backend.loop());
    }

    public NewtonSolver(String backendName, LinearScan scan, ParallelLoop loop) {
        this.backendName = backendName;
        this.scan = scan;
        this.loop = loop;
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        if (p.newton().elk()) {
            return forwardElk(p, states);
        }
        long t0 = System.nanoTime();
        Work w = new Work(p, states);
        Cell cell = w.cell;
        NewtonOptions opts = p.newton();
        boolean quasi = w.quasi;
        JacobianStructure structure = w.structure;
        Rows rows = w.rows;
        int batch = p.batch();
        int steps = p.steps();
        float[] u = p.u();
        float[] f = w.f;
        float[] jac = w.jac;
        float[] rowResidual = w.rowResidual;
        float[] carry = w.carry;
        int[] frontier = w.frontier;
        NewtonStopping stopping = new NewtonStopping(opts, steps);
        int start = 0;
        int iterations = 0;
        NewtonOutcome outcome;
        while (true) {
            float scale = evaluate(cell, quasi, rows, u, states, f, jac, rowResidual, start);
            Judged j = judge(rows, rowResidual, scale, start, frontier, stopping, iterations, opts.tolerance());
            if (j.end() != null) {
                outcome = j.end();
                break;
            }
            start = j.start();
            linearStep(structure, rows, states, f, jac, carry, start, opts.damping());
            iterations++;
        }
        double[] residuals = stopping.history(iterations);
        String detail = (quasi ? "quasi-Newton (diag J of a " + cell.jacobianStructure().describe() + " cell)"
                : "generic Newton") + ", " + structure.describe() + " scan";
        return finish(p, w, states, residuals, outcome, detail, "Newton", t0);
    }

    /**
     * ELK and quasi-ELK (docs/design.md §1, "ELK"): each iteration takes the Levenberg–Marquardt step of
     * {@link ElkStep} on the window past the frontier. The step keeps the first unconverged state exact, so like
     * Newton it needs at most {@code T} iterations; the trust region keeps the rest of the window from the
     * overflow that ends plain Newton on unstable cells. A step that leaves any value not finite is undone (but for
     * its exact first state) and {@code λ} multiplied by 10; each kept step divides {@code λ} by 10, towards
     * Newton's step. Steps are not judged by {@code Σ‖h − f(shift h)‖²} as in textbook Levenberg–Marquardt: that sum
     * rises on the way to the solution of unstable cells, and undoing such steps stalls (docs/design.md §1, "ELK").
     * A residual's growth is not divergence here; the budget and non-finite values are the stopping rules.
     */
    private SolveReport forwardElk(Recurrence p, float[] states) {
        long t0 = System.nanoTime();
        Work w = new Work(p, states);
        Cell cell = w.cell;
        NewtonOptions opts = p.newton();
        boolean quasi = w.quasi;
        JacobianStructure structure = w.structure;
        Rows rows = w.rows;
        int batch = p.batch();
        int steps = p.steps();
        int s = rows.width;
        float[] u = p.u();
        float[] f = w.f;
        float[] jac = w.jac;
        float[] rowResidual = w.rowResidual;
        float[] carry = w.carry;
        int[] frontier = w.frontier;
        float[] kept = new float[states.length];
        float[] pinned = new float[batch * s];
        ElkStep elk = new ElkStep(structure, rows, scan, loop);
        NewtonStopping stopping = new NewtonStopping(opts, steps);
        double lambda = opts.elkLambda();
        int start = 0;
        int iterations = 0;
        int undone = 0;
        NewtonOutcome outcome;
        float scale = evaluate(cell, quasi, rows, u, states, f, jac, rowResidual, start);
        while (true) {
            Judged j = judge(rows, rowResidual, scale, start, frontier, stopping, iterations, opts.tolerance());
            if (j.end() != null) {
                outcome = j.end();
                break;
            }
            start = j.start();
            System.arraycopy(states, 0, kept, 0, states.length);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(f, rows.row(b, start) * s, pinned, b * s, s);
            }
            subtractPrevious(structure, rows, states, f, jac, start);
            for (int b = 0; b < batch; b++) {
                System.arraycopy(rows.prevArray(states, start), rows.prevOffset(b, start), carry, b * s, s);
            }
            elk.apply(states, f, jac, carry, start, lambda);
            // The step keeps h_start = f(h_{start−1}) up to rounding; written exactly, the frontier surely advances.
            for (int b = 0; b < batch; b++) {
                System.arraycopy(pinned, b * s, states, rows.row(b, start) * s, s);
            }
            iterations++;
            float stepScale = evaluate(cell, quasi, rows, u, states, f, jac, rowResidual, start);
            if (Double.isNaN(windowResidual(rows, rowResidual, start))) {
                // Undo: back to the kept iterate, with only the first state of the window made exact.
                System.arraycopy(kept, 0, states, 0, states.length);
                for (int b = 0; b < batch; b++) {
                    System.arraycopy(pinned, b * s, states, rows.row(b, start) * s, s);
                }
                scale = evaluate(cell, quasi, rows, u, states, f, jac, rowResidual, start);
                lambda = Math.min(lambda * 10, MAX_LAMBDA);
                undone++;
            } else {
                scale = stepScale;
                lambda = Math.max(lambda / 10, MIN_LAMBDA);
            }
        }
        double[] residuals = stopping.history(iterations);
        String detail = opts.method() + (quasi ? " (diag J of a " + cell.jacobianStructure().describe() + " cell)" : "")
                + ": Levenberg–Marquardt steps as Kalman smoothers, " + structure.describe() + " scans, "
                + undone + " of " + iterations + " steps undone (not finite), λ " + String.format(java.util.Locale.ROOT, "%.0e", opts.elkLambda())
                + " → " + String.format(java.util.Locale.ROOT, "%.0e", lambda);
        return finish(p, w, states, residuals, outcome, detail, "ELK", t0);
    }

    /** What every Newton solve over the sequence works with: checked, allocated, and the initial guess in the states. */
    private final class Work {
        final Cell cell;
        final boolean quasi;
        final JacobianStructure structure;
        final Rows rows;
        final float[] f;
        final float[] jac;
        final float[] rowResidual;
        final float[] carry;
        final int[] frontier;

        Work(Recurrence p, float[] states) {
            cell = p.cell();
            quasi = p.newton().quasi();
            structure = quasi ? JacobianStructure.diagonal() : cell.jacobianStructure();
            scan.requireSupport(structure, backendName);
            rows = new Rows(p);
            rows.checkStates("states", states);
            int n = p.batch() * p.steps();
            f = new float[n * rows.width];
            jac = new float[n * structure.coefficientsPerStep(rows.width)];
            rowResidual = new float[n];
            carry = new float[p.batch() * rows.width];
            frontier = new int[p.batch()];
            initialGuess(cell, rows, p.u(), states);
        }
    }

    /** The converged report (after checking the states are finite), or the failure settled by the options. */
    private SolveReport finish(Recurrence p, Work w, float[] states, double[] residuals, NewtonOutcome outcome,
                               String detail, String what, long t0) {
        if (outcome.converged()) {
            SolveReport report = SolveReport.newton(Mode.PARALLEL, Mode.PARALLEL, backendName, detail, residuals, outcome, null,
                    System.nanoTime() - t0);
            NonFinite.check(states, p.steps(), w.rows.width, report, what);
            return report;
        }
        return fail(p, w.rows, states, w.frontier, residuals, outcome, detail, t0);
    }

    /** ELK's {@code λ} stays within these: below, the step is Newton's to rounding; above, it is no step. */
    private static final double MIN_LAMBDA = 1e-8;
    private static final double MAX_LAMBDA = 1e12;

    /** After evaluating an iterate: how the solve ends (null: it goes on) and the next window's start. */
    private record Judged(NewtonOutcome end, int start) {
    }

    /**
     * Moves the frontier past the leading rows within tolerance and applies the stopping rules: converged when every
     * row is, otherwise failed when {@link NewtonStopping} says so, otherwise go on from the new frontier.
     */
    private static Judged judge(Rows rows, float[] rowResidual, float scale, int start, int[] frontier, NewtonStopping stopping,
                                int iterations, float tolerance) {
        double residual = windowResidual(rows, rowResidual, start);
        int newStart = frontier(rows, rowResidual, tolerance * Math.max(1f, scale), start, frontier);
        Optional<NewtonOutcome> verdict = stopping.judge(iterations, residual, scale);
        if (newStart == rows.steps) {
            return new Judged(new NewtonOutcome.Converged(iterations), newStart);
        }
        return new Judged(verdict.filter(v -> !v.converged()).orElse(null), newStart);
    }

    /** {@code max} of the rows' residuals on the window, NaN when any is not finite. */
    private static double windowResidual(Rows rows, float[] rowResidual, int start) {
        double residual = 0;
        for (int b = 0; b < rows.batch; b++) {
            for (int t = start; t < rows.steps; t++) {
                float r = rowResidual[rows.row(b, t)];
                if (!Float.isFinite(r)) {
                    return Double.NaN;
                } else if (r > residual) {
                    residual = r;
                }
            }
        }
        return residual;
    }

    /** Per batch element, the first step from {@code start} whose residual exceeds {@code tol}; returns their minimum. */
    private static int frontier(Rows rows, float[] rowResidual, float tol, int start, int[] frontier) {
        int newStart = rows.steps;
        for (int b = 0; b < rows.batch; b++) {
            int t = start;
            // "!(r <= tol)" also stops at NaN.
            while (t < rows.steps && rowResidual[rows.row(b, t)] <= tol) {
                t++;
            }
            frontier[b] = t;
            newStart = Math.min(newStart, t);
        }
        return newStart;
    }

    private SolveReport fail(Recurrence p, Rows rows, float[] states, int[] frontier, double[] residuals,
                             NewtonOutcome outcome, String detail, long t0) {
        SolveReport failed = SolveReport.newton(Mode.PARALLEL, Mode.PARALLEL, backendName, detail, residuals, outcome, null,
                System.nanoTime() - t0);
        SolveReport report = NewtonFailure.settle(failed, p.newton().onFailure(), () -> {
            int tasks = Rows.tasks(p.batch(), loop.parallelism());
            loop.forEach(tasks, task -> {
                for (int b = Rows.split(p.batch(), tasks, task); b < Rows.split(p.batch(), tasks, task + 1); b++) {
                    SequentialSolver.run(p.cell(), rows, p.u(), states, b, frontier[b]);
                }
            });
            return Arrays.stream(frontier).min().orElse(0);
        }, t0);
        if (report.fellBack()) {
            NonFinite.check(states, p.steps(), rows.width, report, "the sequential fallback");
        }
        return report;
    }

    /** {@code h⁰_t = f(h0 or 0, u_t)}: exact at {@code t = 0}, and a good start for gated cells. */
    private void initialGuess(Cell cell, Rows rows, float[] u, float[] states) {
        int n = rows.batch * rows.steps;
        int s = rows.width;
        int pw = cell.projectedWidth();
        float[] zeros = new float[s];
        int tasks = Rows.tasks(n, loop.parallelism());
        loop.forEach(tasks, task -> {
            for (int r = Rows.split(n, tasks, task); r < Rows.split(n, tasks, task + 1); r++) {
                int b = r / rows.steps;
                int t = r % rows.steps;
                if (t == 0) {
                    cell.step(rows.init, b * s, u, r * pw, states, r * s);
                } else {
                    cell.step(zeros, 0, u, r * pw, states, r * s);
                }
            }
        });
    }

    /**
     * f and J at every row {@code (b, t ≥ start)}, and the per-row residual {@code max_i |h − f|}.
     * Returns {@code max |f|} over the window, the scale of the tolerance.
     */
    private float evaluate(Cell cell, boolean quasi, Rows rows, float[] u, float[] states, float[] f, float[] jac,
                             float[] rowResidual, int start) {
        int active = rows.steps - start;
        int n = rows.batch * active;
        int s = rows.width;
        int pw = cell.projectedWidth();
        int c = quasi ? s : cell.jacobianStructure().coefficientsPerStep(s);
        int tasks = Rows.tasks(n, loop.parallelism());
        float[] taskScale = new float[tasks];
        loop.forEach(tasks, task -> {
            float scale = 0f;
            for (int i = Rows.split(n, tasks, task); i < Rows.split(n, tasks, task + 1); i++) {
                int b = i / active;
                int t = start + i % active;
                int r = rows.row(b, t);
                if (quasi) {
                    cell.linearizeDiagonal(rows.prevArray(states, t), rows.prevOffset(b, t), u, r * pw, f, r * s, jac, r * c);
                } else {
                    cell.linearize(rows.prevArray(states, t), rows.prevOffset(b, t), u, r * pw, f, r * s, jac, r * c);
                }
                float res = 0f;
                for (int k = r * s; k < (r + 1) * s; k++) {
                    float d = Math.abs(states[k] - f[k]);
                    // NaN must survive the max: Math.max propagates it.
                    res = Math.max(res, d);
                    scale = Math.max(scale, Math.abs(f[k]));
                }
                rowResidual[r] = res;
            }
            taskScale[task] = scale;
        });
        float scale = 0f;
        for (float v : taskScale) {
            scale = Math.max(scale, v);
        }
        return scale;
    }

    /** One Newton update on the window {@code [start, T)}: rhs in place of {@code f}, then the scan. */
    private void linearStep(JacobianStructure structure, Rows rows, float[] states, float[] f, float[] jac,
                            float[] carry, int start, float damping) {
        int s = rows.width;
        subtractPrevious(structure, rows, states, f, jac, start);
        for (int b = 0; b < rows.batch; b++) {
            System.arraycopy(rows.prevArray(states, start), rows.prevOffset(b, start), carry, b * s, s);
        }
        float[] out = damping == 1f ? states : f;
        scan.forward(new ScanProblem(structure, rows.batch, rows.steps, s, start, rows.steps, jac, f, carry, out));
        if (damping != 1f) {
            for (int b = 0; b < rows.batch; b++) {
                for (int k = rows.row(b, start) * s; k < rows.row(b, rows.steps) * s; k++) {
                    states[k] += damping * (f[k] - states[k]);
                }
            }
        }
    }

    /** {@code f_t ← f_t − J_t h_{t−1}} on the window: the linearisation's offset, the scan's right-hand side. */
    private void subtractPrevious(JacobianStructure structure, Rows rows, float[] states, float[] f, float[] jac, int start) {
        int active = rows.steps - start;
        int n = rows.batch * active;
        int s = rows.width;
        int c = structure.coefficientsPerStep(s);
        int tasks = Rows.tasks(n, loop.parallelism());
        loop.forEach(tasks, task -> {
            float[] tmp = new float[s];
            for (int i = Rows.split(n, tasks, task); i < Rows.split(n, tasks, task + 1); i++) {
                int b = i / active;
                int t = start + i % active;
                int r = rows.row(b, t);
                structure.multiply(jac, r * c, rows.prevArray(states, t), rows.prevOffset(b, t), tmp, 0, s);
                for (int k = 0; k < s; k++) {
                    f[r * s + k] -= tmp[k];
                }
            }
        });
    }

    /**
     * The exact adjoint in parallel form: {@code J_t} at every {@code t}, then
     * {@code λ_t = g_t + J_{t+1}ᵀ λ_{t+1}} as one reverse scan, then the per-step products.
     */
    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU,
                                Gradients grads, float[] gradInit) {
        long t0 = System.nanoTime();
        Cell cell = p.cell();
        JacobianStructure structure = cell.jacobianStructure();
        scan.requireSupport(structure, backendName);
        Rows rows = new Rows(p);
        Adjoint.checkArguments(p, rows, states, gradStates, gradU, gradInit);
        int s = rows.width;
        int pw = cell.projectedWidth();
        int c = structure.coefficientsPerStep(s);
        int n = p.batch() * p.steps();
        float[] jac = new float[n * c];
        int tasks = Rows.tasks(n, loop.parallelism());
        loop.forEach(tasks, task -> {
            float[] f = new float[s];
            for (int r = Rows.split(n, tasks, task); r < Rows.split(n, tasks, task + 1); r++) {
                int b = r / p.steps();
                int t = r % p.steps();
                cell.linearize(rows.prevArray(states, t), rows.prevOffset(b, t), p.u(), r * pw, f, 0, jac, r * c);
            }
        });
        float[] lambda = gradStates;
        scan.reverse(ScanProblem.whole(structure, p.batch(), p.steps(), s, jac, gradStates, null, lambda));
        Gradients[] partial = Adjoint.partials(grads, tasks);
        loop.forEach(tasks, task -> {
            for (int r = Rows.split(n, tasks, task); r < Rows.split(n, tasks, task + 1); r++) {
                int b = r / p.steps();
                int t = r % p.steps();
                cell.backwardStep(rows.prevArray(states, t), rows.prevOffset(b, t), p.u(), r * pw,
                        lambda, r * s, gradU, r * pw, partial[task]);
            }
        });
        Adjoint.reduce(grads, partial);
        if (gradInit != null) {
            for (int b = 0; b < p.batch(); b++) {
                int r = rows.row(b, 0);
                structure.multiplyTransposed(jac, r * c, lambda, r * s, gradInit, b * s, s);
            }
        }
        return new SolveReport(Mode.PARALLEL, Mode.PARALLEL, backendName,
                "adjoint as one reverse " + structure.describe() + " scan", 0, null, true, -1, null,
                System.nanoTime() - t0);
    }
}
