package org.pararnn.backend.cpu;

import java.util.Locale;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * Fused solvers for cells whose features never interact (ParaGRU, ParaLSTM): sequential in time,
 * parallel over batch elements × blocks of features. Each task walks its features through all T steps
 * touching only its slice of {@code u} and the states, so memory traffic is one pass: the bandwidth
 * optimum when {@code B·D} fills the machine. The backward runs the adjoint the same way in reverse time.
 * Subclasses supply the cell's equations for a feature range.
 */
abstract class FeatureParallelSolver implements RecurrenceSolver {
    /** Features per block are a multiple of this, so a block can later map onto whole SIMD vectors. */
    static final int ALIGN = 8;

    final CpuLoop loop;
    final FusedRows rows;
    final int width;
    final float[] a;
    final float[] c;

    FeatureParallelSolver(CpuLoop loop, FusedRows rows, int width, Tensor a, Tensor c) {
        this.loop = loop;
        this.rows = rows;
        this.width = width;
        this.a = a.data();
        this.c = c == null ? null : c.data();
    }

    abstract String cellName();

    /** Forward of batch element {@code b}, features {@code [d0, d1)}, steps {@code [from, T)}. */
    abstract void forwardRange(Recurrence p, float[] init, float[] states, int b, int d0, int d1, int from);

    /**
     * Adjoint of batch element {@code b}, features {@code [d0, d1)}: writes gradU and gradInit for them,
     * adds recurrent-weight gradients into {@code gradA} / {@code gradC}.
     */
    abstract void backwardRange(Recurrence p, float[] init, float[] states, float[] gradStates, float[] gradU,
                                float[] gradA, float[] gradC, float[] gradInit, int b, int d0, int d1);

    /** Feature blocks per batch element: enough tasks for the pool, blocks no thinner than {@link #ALIGN}. */
    int blocks(int batch) {
        int wanted = Math.max(1, (4 * loop.parallelism() + batch - 1) / batch);
        int most = Math.max(1, (width + ALIGN - 1) / ALIGN);
        return loop.parallelism() == 1 ? 1 : Math.min(wanted, most);
    }

    int blockStart(int blocks, int k) {
        int units = (width + ALIGN - 1) / ALIGN;
        return Math.min(width, (int) ((long) units * k / blocks) * ALIGN);
    }

    float[] init(Recurrence p) {
        return p.init() != null ? p.init() : new float[p.batch() * p.cell().stateWidth()];
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        return sequentialForward(p, states);
    }

    /** Strategy (a): every task walks its features through all steps. */
    final SolveReport sequentialForward(Recurrence p, float[] states) {
        long t0 = System.nanoTime();
        int blocks = blocks(p.batch());
        float[] init = init(p);
        loop.forEach(p.batch() * blocks, i -> {
            int b = i / blocks;
            int k = i % blocks;
            forwardRange(p, init, states, b, blockStart(blocks, k), blockStart(blocks, k + 1), 0);
        });
        SolveReport report = report(p, "sequential in time", blocks, t0);
        requireFinite(p, states, report);
        return report;
    }

    void requireFinite(Recurrence p, float[] states, SolveReport report) {
        for (int i = 0; i < states.length; i++) {
            if (!Float.isFinite(states[i])) {
                int s = p.cell().stateWidth();
                throw new SolveFailedException("the fused " + cellName() + " solve produced " + states[i] + " at [b="
                        + i / s / p.steps() + ", t=" + (i / s) % p.steps() + ", i=" + i % s + "]", report);
            }
        }
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                                float[] gradInit) {
        return sequentialBackward(p, states, gradStates, gradU, grads, gradInit);
    }

    /** Strategy (a) for the adjoint: every task walks its features through all steps in reverse. */
    final SolveReport sequentialBackward(Recurrence p, float[] states, float[] gradStates, float[] gradU,
                                         Gradients grads, float[] gradInit) {
        long t0 = System.nanoTime();
        int blocks = blocks(p.batch());
        int tasks = p.batch() * blocks;
        float[] init = init(p);
        float[][] partA = new float[tasks][];
        float[][] partC = new float[tasks][];
        float[] gi = gradInit != null ? gradInit : new float[p.batch() * p.cell().stateWidth()];
        loop.forEach(tasks, i -> {
            int b = i / blocks;
            int k = i % blocks;
            partA[i] = new float[a.length];
            partC[i] = c == null ? null : new float[c.length];
            backwardRange(p, init, states, gradStates, gradU, partA[i], partC[i], gi, b,
                    blockStart(blocks, k), blockStart(blocks, k + 1));
        });
        // Fixed task order: the sum does not depend on scheduling.
        float[] ga = grads.data("A");
        for (float[] part : partA) {
            for (int j = 0; j < ga.length; j++) {
                ga[j] += part[j];
            }
        }
        if (c != null) {
            float[] gc = grads.data("C");
            for (float[] part : partC) {
                for (int j = 0; j < gc.length; j++) {
                    gc[j] += part[j];
                }
            }
        }
        return report(p, "adjoint in reverse time", blocks, t0);
    }

    private SolveReport report(Recurrence p, String what, int blocks, long t0) {
        String detail = String.format(Locale.ROOT, "fused %s, %s, parallel over %d batch x %d feature block(s)",
                cellName(), what, p.batch(), blocks);
        return new SolveReport(Mode.FUSED, Mode.FUSED, CpuBackend.NAME, detail, 0, null, true, -1, null,
                System.nanoTime() - t0);
    }
}
