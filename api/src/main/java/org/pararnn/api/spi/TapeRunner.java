package org.pararnn.api.spi;

import java.util.List;

/**
 * Runs a cell tape's programs on a backend's device ({@link Backend#tapeRunner()}; docs/design.md §4, "Cell tapes"):
 * every (row, feature) at once, as {@link CellTape.Program#run} does one row on the host. What a backend offers so
 * that a cell written in the cell language is evaluated where its states live; the conformance kit checks it against
 * the reference interpreter.
 */
@FunctionalInterface
public interface TapeRunner {
    /**
     * {@code program} (one of {@code tape}'s) over {@code rows} rows of width {@code d}: states {@code h [rows][K·D]},
     * inputs {@code u [rows][G·D]}, the parameters' data in the tape's order ({@code [rows][D]}, or {@code [D][D]} for
     * a matrix). Returns the program's outputs {@code [rows][outputs][D]}. A tape this backend cannot run (too many
     * registers) is refused with an {@link IllegalArgumentException} that says why.
     */
    float[] run(CellTape tape, CellTape.Program program, List<float[]> params, float[] h, float[] u, int rows, int d);
}
