package org.pararnn.api.solve;

import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * The ground truth: step by step in time, parallel only over batch elements. Its backward is the
 * adjoint recursion {@code λ_t = g_t + J_{t+1}ᵀ λ_{t+1}} run in reverse with one Jacobian at a time,
 * so it needs no {@code [B][T]} workspace.
 */
public final class SequentialSolver implements RecurrenceSolver {
    private final String backendName;
    private final ParallelLoop loop;

    public SequentialSolver(String backendName, ParallelLoop loop) {
        this.backendName = backendName;
        this.loop = loop;
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        long t0 = System.nanoTime();
        Rows rows = new Rows(p);
        rows.checkStates("states", states);
        Cell cell = p.cell();
        int tasks = Rows.tasks(p.batch(), loop.parallelism());
        loop.forEach(tasks, task -> {
            for (int b = Rows.split(p.batch(), tasks, task); b < Rows.split(p.batch(), tasks, task + 1); b++) {
                run(cell, rows, p.u(), states, b, 0);
            }
        });
        SolveReport report = new SolveReport(Mode.SEQUENTIAL, Mode.SEQUENTIAL, backendName, "step by step in time",
                0, null, true, -1, null, System.nanoTime() - t0);
        NonFinite.check(states, p.steps(), rows.width, report, "the sequential solve");
        return report;
    }

    /** Steps batch element {@code b} from {@code from} to the end; states before {@code from} are inputs. */
    static void run(Cell cell, Rows rows, float[] u, float[] states, int b, int from) {
        int s = rows.width;
        int pw = cell.projectedWidth();
        for (int t = from; t < rows.steps; t++) {
            int r = rows.row(b, t);
            cell.step(rows.prevArray(states, t), rows.prevOffset(b, t), u, r * pw, states, r * s);
        }
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU,
                                Gradients grads, float[] gradInit) {
        long t0 = System.nanoTime();
        Rows rows = new Rows(p);
        Adjoint.checkArguments(p, rows, states, gradStates, gradU, gradInit);
        Cell cell = p.cell();
        int s = rows.width;
        int pw = cell.projectedWidth();
        int c = cell.jacobianStructure().coefficientsPerStep(s);
        int tasks = Rows.tasks(p.batch(), loop.parallelism());
        Gradients[] partial = Adjoint.partials(grads, tasks);
        loop.forEach(tasks, task -> {
            float[] lambda = new float[s];
            float[] carry = new float[s];
            float[] f = new float[s];
            float[] jac = new float[c];
            for (int b = Rows.split(p.batch(), tasks, task); b < Rows.split(p.batch(), tasks, task + 1); b++) {
                java.util.Arrays.fill(carry, 0f);
                for (int t = p.steps() - 1; t >= 0; t--) {
                    int r = rows.row(b, t);
                    for (int i = 0; i < s; i++) {
                        lambda[i] = gradStates[r * s + i] + carry[i];
                    }
                    float[] prev = rows.prevArray(states, t);
                    int prevOff = rows.prevOffset(b, t);
                    cell.linearize(prev, prevOff, p.u(), r * pw, f, 0, jac, 0);
                    cell.backwardStep(prev, prevOff, p.u(), r * pw, lambda, 0, gradU, r * pw, partial[task]);
                    cell.jacobianStructure().multiplyTransposed(jac, 0, lambda, 0, carry, 0, s);
                }
                if (gradInit != null) {
                    System.arraycopy(carry, 0, gradInit, b * s, s);
                }
            }
        });
        Adjoint.reduce(grads, partial);
        return new SolveReport(Mode.SEQUENTIAL, Mode.SEQUENTIAL, backendName, "adjoint recursion in reverse time",
                0, null, true, -1, null, System.nanoTime() - t0);
    }
}
