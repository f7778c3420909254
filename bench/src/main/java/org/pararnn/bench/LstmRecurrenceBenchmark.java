package org.pararnn.bench;

import org.pararnn.api.Cell;
import org.pararnn.cells.ParaLSTM;

/** ParaLSTM (CIFG with peepholes, 2×2 Jacobian blocks over c and h) in {@link RecurrenceBenchmark}. */
public class LstmRecurrenceBenchmark extends RecurrenceBenchmark {
    @Override
    Cell cell(int width) {
        return ParaLSTM.create(8, width, 1, 7);
    }
}
