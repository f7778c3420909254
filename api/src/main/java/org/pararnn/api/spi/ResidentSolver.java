package org.pararnn.api.spi;

import org.pararnn.api.SolveReport;
import org.pararnn.api.ops.DeviceArray;

/**
 * A backend's solver for one cell that reads and writes the backend's own arrays, so that a training step's
 * activations never leave the device ({@link Backend#resident}). Same contract as {@link RecurrenceSolver},
 * on {@link DeviceArray}s; the parameters' gradients are added into the {@link org.pararnn.api.CellArrays}'
 * accumulators. A solve that produces a non-finite state or gradient throws
 * {@link org.pararnn.api.SolveFailedException} saying where. Thread-safe.
 */
public interface ResidentSolver {

    /** Fills {@code states [B][T][S]} with {@code h_1..h_T}. */
    SolveReport forward(ResidentRecurrence problem, DeviceArray states);

    /**
     * Given the forward's {@code states} and {@code gradStates = ∂L/∂h_t [B][T][S]} (may be overwritten as
     * workspace): <em>writes</em> {@code gradU [B][T][P]}, <em>adds</em> the recurrent parameters' gradients
     * into the problem's gradient arrays, and, when {@code gradInit} is non-null, <em>writes</em>
     * {@code ∂L/∂h0 [B][S]}.
     */
    SolveReport backward(ResidentRecurrence problem, DeviceArray states, DeviceArray gradStates, DeviceArray gradU,
                         DeviceArray gradInit);
}
