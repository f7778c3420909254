package org.pararnn.lm.model;

import java.util.List;
import org.pararnn.lm.nn.Parameter;

/**
 * A residual block: reads the residual stream {@code x [rows][D]}, adds its output into it, and in
 * backward turns {@code ∂L/∂x} after the block into {@code ∂L/∂x} before it, in place. It keeps
 * what backward needs from the last forward, so one instance serves one sequence of forward/backward
 * calls at a time.
 */
interface Layer {
    List<Parameter> parameters();

    /**
     * Adds the block's output into {@code x}. {@code state} carries the recurrence across calls
     * (generation); null means a fresh sequence from the zero state.
     */
    void forward(float[] x, int batch, int steps, LayerState state);

    void backward(float[] dx, int batch, int steps);

    /** Per-batch-element state that makes stepping token by token equal to running the whole sequence. */
    LayerState newState(int batch);

    /** Newton iterations of the last forward (0 for blocks without a recurrence). */
    default int lastIterations() {
        return 0;
    }
}
