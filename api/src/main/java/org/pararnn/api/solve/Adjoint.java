package org.pararnn.api.solve;

import org.pararnn.api.Checks;
import org.pararnn.api.Gradients;
import org.pararnn.api.spi.Recurrence;

/** Shared argument checks and per-task gradient bookkeeping of the backward passes. */
final class Adjoint {
    private Adjoint() {
    }

    static void checkArguments(Recurrence p, Rows rows, float[] states, float[] gradStates, float[] gradU,
                               float[] gradInit) {
        rows.checkStates("states", states);
        rows.checkStates("gradStates", gradStates);
        int pw = p.cell().projectedWidth();
        Checks.length("gradU", gradU, p.batch() * p.steps() * pw, "[" + p.batch() + "][" + p.steps() + "][" + pw + "]");
        if (gradInit != null) {
            Checks.length("gradInit", gradInit, p.batch() * rows.width, "[" + p.batch() + "][" + rows.width + "]");
        }
    }

    /** One private accumulator per task (task 0 may write straight into the caller's). */
    static Gradients[] partials(Gradients grads, int tasks) {
        Gradients[] partial = new Gradients[tasks];
        partial[0] = grads;
        for (int i = 1; i < tasks; i++) {
            partial[i] = Gradients.zerosLike(grads.tensors());
        }
        return partial;
    }

    /** Adds task accumulators in task order, so the sum does not depend on thread scheduling. */
    static void reduce(Gradients grads, Gradients[] partial) {
        for (int i = 1; i < partial.length; i++) {
            grads.add(partial[i]);
        }
    }
}
