package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.Cell;
import org.pararnn.lm.nn.Parameter;

/**
 * One stage between the embedding and the head of a {@link LanguageModel}: it transforms the stream
 * {@code x [rows][D]} in place (a residual block adds its output into it; the cell alone replaces it),
 * and in backward turns {@code ∂L/∂x} after the stage into {@code ∂L/∂x} before it, in place. It keeps
 * what backward needs from the last forward, so one instance serves one sequence of forward/backward
 * calls at a time.
 */
interface Layer {
    List<Parameter> parameters();

    /** The recurrent cells inside, initialised and clipped by the model (none by default). */
    default List<Cell> cells() {
        return List.of();
    }

    /** Draws this layer's own weights (not its cells', which the model draws first). */
    void initialize(SplittableRandom rnd);

    /** The solver (backend and mode) its cells run through; its threads run the row-parallel work. */
    void solver(RnnSolver solver);

    /**
     * Transforms {@code x} in place. {@code state} carries the recurrence across calls (generation);
     * {@link LayerState#NONE} means a fresh sequence from the zero state.
     */
    void forward(DeviceArray x, int batch, int steps, LayerState state);

    void backward(DeviceArray dx, int batch, int steps);

    /** Per-batch-element state that makes stepping token by token equal to running the whole sequence. */
    LayerState newState(int batch);

    /** Clamps the recurrent weights of its cells to {@code [−limit, limit]} where they live (none by default). */
    default void clipRecurrent(float limit) {
    }

    /** Where its cell's solves run and why ({@link org.pararnn.api.LayerSolve#placement()}), or null without a cell. */
    default String solvePlacement() {
        return null;
    }

    /** The report of the last forward's cell solve, or null for a layer without a recurrence. */
    default SolveReport lastSolve() {
        return null;
    }
}
