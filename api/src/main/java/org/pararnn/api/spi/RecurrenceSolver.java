package org.pararnn.api.spi;

import org.pararnn.api.Gradients;
import org.pararnn.api.SolveReport;

/**
 * A way to solve a {@link Recurrence}: sequentially, by generic Newton over a backend's scan, or by a
 * backend's fused kernels. Implementations are thread-safe.
 */
public interface RecurrenceSolver {

    /** Fills {@code states [B][T][S]} with {@code h_1..h_T}. */
    SolveReport forward(Recurrence problem, float[] states);

    /**
     * The adjoint pass. Given the forward {@code states} and {@code gradStates = ∂L/∂h_t [B][T][S]}
     * (the direct gradient only; it may be overwritten as workspace), <em>writes</em>
     * {@code gradU [B][T][P]}, <em>adds</em> the recurrent parameters' gradients into {@code grads},
     * and, when {@code gradInit} is non-null, <em>writes</em> {@code ∂L/∂h0 [B][S]} into it.
     */
    SolveReport backward(Recurrence problem, float[] states, float[] gradStates, float[] gradU,
                         Gradients grads, float[] gradInit);
}
