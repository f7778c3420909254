package org.pararnn.api.solve;

import org.pararnn.api.Checks;
import org.pararnn.api.spi.Recurrence;

/**
 * Index arithmetic for {@code [B][T][W]} tensors and the shifted view {@code h_{t−1}} that every
 * solver evaluates the cell at: row {@code (b, t)} reads the previous state from the states tensor,
 * or from the initial state when {@code t = 0}.
 */
final class Rows {
    final int batch;
    final int steps;
    final int width;
    final float[] init;

    Rows(Recurrence p) {
        this.batch = p.batch();
        this.steps = p.steps();
        this.width = p.cell().stateWidth();
        this.init = p.init() != null ? p.init() : new float[batch * width];
    }

    /** Array holding {@code h_{t−1}} of batch element {@code b}. */
    float[] prevArray(float[] states, int t) {
        return t == 0 ? init : states;
    }

    /** Offset of {@code h_{t−1}} of batch element {@code b} in {@link #prevArray}. */
    int prevOffset(int b, int t) {
        return t == 0 ? b * width : (b * steps + t - 1) * width;
    }

    int row(int b, int t) {
        return b * steps + t;
    }

    /** Checks a caller's output tensor has {@code [B][T][S]} elements. */
    void checkStates(String what, float[] states) {
        Checks.length(what, states, batch * steps * width, "[" + batch + "][" + steps + "][" + width + "]");
    }

    /** Splits {@code n} items into about {@code tasks} contiguous ranges: start of range {@code i}. */
    static int split(int n, int tasks, int i) {
        return (int) ((long) n * i / tasks);
    }

    /** Tasks worth making for {@code n} items on a loop of the given parallelism. */
    static int tasks(int n, int parallelism) {
        return Math.max(1, Math.min(n, parallelism == 1 ? 1 : parallelism * 4));
    }
}
