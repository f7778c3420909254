package org.pararnn.backend.cpu;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.pararnn.api.Cell;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.NewtonOutcome;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonFailure;
import org.pararnn.api.solve.NewtonStopping;
import org.pararnn.api.spi.Recurrence;

/**
 * Newton in time over chunks, the one driver for every fused cell of the CPU backend (docs/design.md §1):
 * the sequence is cut into {@link TimeChunks}; each iteration runs one {@link Pass} per task (batch
 * element × feature block × chunk) that evaluates {@code f} and {@code J} from the old iterate, measures
 * the old iterate's residual and advances the chunk-local scan; then the chunk carries are chained and
 * added back ({@link Pass#fixUp}). The cell supplies only its pass and its fix-up
 * ({@link GruNewton}, {@link LstmNewton}); convergence is {@link NewtonStopping}'s, failure
 * {@link NewtonFailure}'s.
 *
 * <p>Two refinements a pass may offer: folding the fix-up into the next pass ({@link Pass#folds}: the
 * next pass completes the old iterate in place before evaluating, one fork/join per iteration instead of
 * two), and a check-only pass ({@link Pass#checks}: residual only, no Jacobian, scan or stores) that runs
 * when the residual history predicts convergence; a wrong prediction costs one check pass, never the
 * result. Iterates alternate between the caller's array and one scratch array, so the returned states
 * are exactly the iterate whose residual was measured. The initial guess is zero; its residual is the
 * first entry of the history, so the first pass is already a Newton step.
 */
final class ChunkedNewton {
    private ChunkedNewton() {
    }

    /** One cell's part of one solve: it holds the shape, the chunking and the scratch of that solve. */
    interface Pass {
        /** Batch element × feature block × chunk. */
        int tasks();

        /**
         * Task {@code i}: old iterate {@code old} (null: the zero guess) to the chunk-local new one in
         * {@code out}; writes the old iterate's residual and {@code max |f|} of the task's steps into
         * {@code taskRes[i]} and {@code taskScale[i]}. With {@code carried} (a folded fix-up) the task first
         * completes its own steps of {@code old} in place with those chunk carries.
         */
        void run(float[] old, float[] carried, float[] out, int i, float[] taskRes, float[] taskScale);

        /** Completes {@code out} after a full pass: chains the chunk carries and adds them back. */
        void fixUp(CpuLoop.Burst team, float[] out);

        /** Whether the fix-up can be folded into the next pass (then {@link #carries} replaces {@link #fixUp}). */
        default boolean folds() {
            return false;
        }

        /** How many carries {@link #carries} writes. */
        default int carryCount() {
            return 0;
        }

        /** The chunk carries of {@code out}, in order, for the next pass to fold in. */
        default void carries(float[] out, float[] into) {
            throw new UnsupportedOperationException("this pass does not fold its fix-up");
        }

        /** Whether a residual-only pass exists. */
        default boolean checks() {
            return false;
        }

        /** Task {@code i} of a residual-only pass over {@code old}; nothing written but the residual and scale. */
        default void check(float[] old, float[] carried, int i, float[] taskRes, float[] taskScale) {
            throw new UnsupportedOperationException("this pass has no check-only form");
        }

        /** The solve in words, for the report: "fused ParaGRU Newton in time, 4 chunk(s) x …". */
        String describe();

        /** The initial states {@code [B][S]} (zeros when the recurrence has none). */
        float[] init();

        /** Solves sequence {@code b} sequentially from step {@code from} on, the states before it kept. */
        void sequentialFrom(float[] states, int b, int from);

        /** Fails the solve, naming the place, when a state is not finite. */
        void requireFinite(float[] states, SolveReport report);
    }

    /** What every cell's pass shares: the solve's shape and chunking, and the cell's sequential solver. */
    abstract static class CellPass implements Pass {
        final Recurrence p;
        final int chunks;
        final int blocks;
        final float[] init;
        private final FeatureParallelSolver cell;

        CellPass(FeatureParallelSolver cell, Recurrence p, int chunks, int blocks) {
            this.cell = cell;
            this.p = p;
            this.chunks = chunks;
            this.blocks = blocks;
            this.init = cell.init(p);
        }

        @Override
        public int tasks() {
            return p.batch() * blocks * chunks;
        }

        @Override
        public String describe() {
            return String.format(Locale.ROOT, "fused %s Newton in time, %d chunk(s) x %d batch x %d feature block(s), "
                    + "initial guess 0", cell.cellName(), chunks, p.batch(), blocks);
        }

        @Override
        public float[] init() {
            return init;
        }

        @Override
        public void sequentialFrom(float[] states, int b, int from) {
            cell.forwardRange(p, init, states, b, 0, cell.width, from);
        }

        @Override
        public void requireFinite(float[] states, SolveReport report) {
            cell.requireFinite(p, states, report);
        }
    }

    /** Whether to speculate that the next iterate converges; tests force the two extremes. */
    enum Speculation { NEVER, PREDICTED, ALWAYS }

    static volatile Speculation speculation = Speculation.PREDICTED;

    /**
     * Newton's residuals shrink at least as fast as the last ratio once they shrink at all (quadratically
     * near the solution): the next is predicted as {@code latest · latest / previous}, and a check-only
     * pass is worth running when that is within the tolerance.
     */
    static boolean predictsConvergence(double previous, double latest, double tolerance) {
        return previous > 0 && latest < previous && latest * (latest / previous) <= tolerance;
    }

    /** Solves {@code p} into {@code states} with {@code pass}; {@code scratch} is the second iterate. */
    static SolveReport forward(Pass pass, CpuLoop loop, Recurrence p, float[] states, float[] scratch) {
        long t0 = System.nanoTime();
        NewtonOptions opts = p.newton();
        int tasks = pass.tasks();
        boolean undamped = opts.damping() == 1f;
        boolean folded = pass.folds() && undamped;
        float[] carries = folded ? new float[pass.carryCount()] : null;
        float[] taskRes = new float[tasks];
        float[] taskScale = new float[tasks];
        NewtonStopping stopping = new NewtonStopping(opts, p.steps());
        float[] x = null;
        float[] y = states;
        int iterations = 0;
        float scale = 0f;
        NewtonOutcome outcome;
        boolean speculative = pass.checks() && undamped && speculation != Speculation.NEVER;
        boolean check = false;
        boolean judged = false;
        boolean lastWasCheck = false;
        int missed = 0;
        double previous = Double.NaN;
        double latest = Double.NaN;
        // One burst for the whole solve: its passes are forEach calls microseconds apart.
        try (CpuLoop.Burst team = loop.burst()) {
            while (true) {
                float[] old = x;
                float[] out = y;
                // A folded pass completes the old iterate in place; after a check pass it is complete already.
                float[] carried = folded && old != null && !judged ? carries : null;
                boolean checkOnly = check;
                team.forEach(tasks, i -> {
                    if (checkOnly) {
                        pass.check(old, carried, i, taskRes, taskScale);
                    } else {
                        pass.run(old, carried, out, i, taskRes, taskScale);
                    }
                });
                double residual = 0;
                scale = 0f;
                for (int i = 0; i < tasks; i++) {
                    residual = Math.max(residual, taskRes[i]);
                    scale = Math.max(scale, taskScale[i]);
                }
                lastWasCheck = checkOnly;
                if (!judged) {
                    Optional<NewtonOutcome> end = stopping.judge(iterations, residual, scale);
                    if (end.isPresent()) {
                        outcome = end.get();
                        break;
                    }
                    previous = latest;
                    latest = residual;
                }
                if (checkOnly) {
                    // Not converged after all: the same (now complete) iterate gets a full pass, not judged twice.
                    check = false;
                    judged = true;
                    missed++;
                    continue;
                }
                judged = false;
                if (folded) {
                    pass.carries(out, carries);
                } else {
                    pass.fixUp(team, out);
                }
                if (!undamped) {
                    damp(old, out, states.length, opts.damping());
                }
                iterations++;
                x = out;
                y = old == null ? scratch : old;
                check = speculative && (speculation == Speculation.ALWAYS
                        || predictsConvergence(previous, latest, opts.tolerance() * Math.max(1f, scale)));
            }
        }
        if (x == null) {
            Arrays.fill(states, 0f);
        } else if (x != states) {
            System.arraycopy(x, 0, states, 0, states.length);
        }
        double[] residuals = stopping.history(iterations);
        String detail = pass.describe() + (lastWasCheck ? ", last residual from a check-only pass" : "")
                + (missed > 0 ? ", " + missed + " check-only pass(es) found the iterate short" : "");
        if (outcome.converged()) {
            // No finiteness scan needed: f is finite by construction (FastMath clamps), and a finite
            // residual |h − f| then proves every returned state finite.
            return SolveReport.newton(Mode.FUSED, Mode.FUSED, CpuBackend.NAME, detail, residuals, outcome, null,
                    System.nanoTime() - t0);
        }
        SolveReport failed = SolveReport.newton(Mode.FUSED, Mode.FUSED, CpuBackend.NAME, detail, residuals, outcome, null,
                System.nanoTime() - t0);
        float tol = opts.tolerance() * Math.max(1f, Float.isFinite(scale) ? scale : 1f);
        SolveReport report = NewtonFailure.settle(failed, opts.onFailure(), () -> {
            // Keep each sequence's converged prefix: its first step whose residual exceeds the tolerance.
            int[] frontier = new int[p.batch()];
            loop.forEach(p.batch(), b -> {
                frontier[b] = firstUnconverged(p, pass.init(), states, b, tol);
                pass.sequentialFrom(states, b, frontier[b]);
            });
            return Arrays.stream(frontier).min().orElse(0);
        }, t0);
        if (report.fellBack()) {
            pass.requireFinite(states, report);
        }
        return report;
    }

    /** The first step of sequence {@code b} whose state is not within {@code tol} of {@code f} of the one before. */
    static int firstUnconverged(Recurrence p, float[] init, float[] states, int b, float tol) {
        Cell cell = p.cell();
        int s = cell.stateWidth();
        int pw = cell.projectedWidth();
        int steps = p.steps();
        float[] f = new float[s];
        for (int t = 0; t < steps; t++) {
            int r = b * steps + t;
            cell.step(t == 0 ? init : states, t == 0 ? b * s : (r - 1) * s, p.u(), r * pw, f, 0);
            for (int i = 0; i < s; i++) {
                if (!(Math.abs(states[r * s + i] - f[i]) <= tol)) {
                    return t;
                }
            }
        }
        return steps;
    }

    /** {@code y ← old + damping·(y − old)}; a null {@code old} is the zero iterate. */
    static void damp(float[] old, float[] y, int n, float damping) {
        for (int i = 0; i < n; i++) {
            float h = old == null ? 0f : old[i];
            y[i] = h + damping * (y[i] - h);
        }
    }
}
