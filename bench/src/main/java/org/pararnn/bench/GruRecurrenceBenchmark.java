package org.pararnn.bench;

import org.pararnn.api.Cell;
import org.pararnn.cells.ParaGRU;

/** ParaGRU (diagonal Jacobian) in {@link RecurrenceBenchmark}. */
public class GruRecurrenceBenchmark extends RecurrenceBenchmark {
    @Override
    Cell cell(int width) {
        return ParaGRU.create(8, width, 1, 7);
    }
}
