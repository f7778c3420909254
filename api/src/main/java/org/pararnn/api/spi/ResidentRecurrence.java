package org.pararnn.api.spi;

import java.util.Objects;
import org.pararnn.api.Cell;
import org.pararnn.api.CellArrays;
import org.pararnn.api.Checks;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.ops.DeviceArray;

/**
 * A {@link Recurrence} whose arrays are a backend's own ({@link Backend#ops()}): {@code u [B][T][P]}, the
 * optional {@code init [B][S]}, and the cell's parameters as {@link CellArrays}. What a {@link ResidentSolver}
 * solves without the data leaving the device.
 */
public record ResidentRecurrence(Cell cell, CellArrays params, int batch, int steps, DeviceArray u, DeviceArray init,
                                 NewtonOptions newton) {
    public ResidentRecurrence {
        Objects.requireNonNull(cell, "cell");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(u, "u");
        Objects.requireNonNull(newton, "newton");
        Checks.positive("batch", batch);
        Checks.positive("steps", steps);
        Recurrence.checkCell(cell);
        long need = (long) batch * steps * cell.projectedWidth();
        if (u.length() < need) {
            throw new IllegalArgumentException("u: " + u.name() + " holds " + u.length() + " values, [" + batch + "][" + steps + "]["
                    + cell.projectedWidth() + "] needs " + need);
        }
        if (init != null && init.length() < (long) batch * cell.stateWidth()) {
            throw new IllegalArgumentException("init: " + init.name() + " holds " + init.length() + " values, [" + batch + "]["
                    + cell.stateWidth() + "] needs " + (long) batch * cell.stateWidth());
        }
        params.requireFor(cell);
    }

    /** {@code B·T·S}: floats of the states. */
    public long stateElements() {
        return (long) batch * steps * cell.stateWidth();
    }
}
