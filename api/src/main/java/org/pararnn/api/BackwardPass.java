package org.pararnn.api;

/**
 * The result of {@link RnnSolver#backward}: {@code ∂L/∂x [B][T][N]}, the parameter gradients (added
 * into the accumulator the caller passed, or a fresh one), {@code ∂L/∂h0 [B][S]} and the report.
 */
public record BackwardPass(float[] gradInput, Gradients gradients, float[] gradInitialState, SolveReport report) {
}
