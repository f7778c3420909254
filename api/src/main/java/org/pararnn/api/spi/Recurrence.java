package org.pararnn.api.spi;

import org.pararnn.api.Cell;
import org.pararnn.api.Checks;
import org.pararnn.api.NewtonOptions;

/**
 * The recurrence part of a layer after the input projection: cell, sizes, {@code u [B][T][P]} and an
 * optional initial state {@code init [B][S]} (zeros when null). Validated on construction.
 */
public record Recurrence(Cell cell, int batch, int steps, float[] u, float[] init, NewtonOptions newton) {

    public Recurrence {
        if (cell == null) {
            throw new IllegalArgumentException("cell is null");
        }
        checkCell(cell);
        Checks.positive("batch", batch);
        Checks.positive("steps", steps);
        int p = cell.projectedWidth();
        Checks.length("u", u, Checks.elements("u", batch, steps, p), "[" + batch + "][" + steps + "][" + p + "]");
        int s = cell.stateWidth();
        if (init != null) {
            Checks.length("h0", init, Checks.elements("h0", batch, s), "[" + batch + "][" + s + "]");
        }
        Checks.elements("states", batch, steps, s);
        Checks.elements("Jacobians", batch, steps, cell.jacobianStructure().coefficientsPerStep(s));
        if (newton == null) {
            newton = NewtonOptions.defaults();
        }
    }

    /** A cell's widths must be consistent with each other and with its Jacobian structure. */
    public static void checkCell(Cell cell) {
        Checks.positive("cell input width", cell.inputWidth());
        Checks.positive("cell projected width", cell.projectedWidth());
        int s = Checks.positive("cell state width", cell.stateWidth());
        if (cell.jacobianStructure() == null) {
            throw new IllegalArgumentException("cell '" + cell.type() + "' declares no Jacobian structure");
        }
        cell.jacobianStructure().checkStateWidth(s);
        int off = cell.outputOffset();
        int w = cell.outputWidth();
        if (off < 0 || w <= 0 || off + w > s) {
            throw new IllegalArgumentException("cell '" + cell.type() + "' output slice [" + off + ", " + (off + w)
                    + ") does not fit its state width " + s);
        }
    }

    public int width() {
        return cell.stateWidth();
    }

    /** Elements of a {@code [B][T][S]} state tensor. */
    public int stateElements() {
        return batch * steps * cell.stateWidth();
    }
}
