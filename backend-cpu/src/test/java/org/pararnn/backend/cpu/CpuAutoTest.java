package org.pararnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.conformance.KitData;

/** AUTO on the CPU backend picks by shape and says why; cells without fused kernels get the generic rule. */
class CpuAutoTest {

    @Test
    void autoPicksTheFusedKernelAndSaysWhy() {
        try (CpuBackend backend = new CpuBackend(2, DiagonalKernels.best(), null)) {
            RnnSolver auto = RnnSolver.on(backend);
            ParaGRU wide = ParaGRU.create(8, 128, 2, 1);
            SolveReport r = auto.forward(wide, KitData.gaussian(4 * 64 * 8, 1, 2), 4, 64).report();
            assertEquals(Mode.FUSED, r.used(), r.toString());
            assertTrue(r.detail().startsWith("AUTO: B·S = 512 features over 64 steps"), r.detail());

            ParaLSTM narrow = ParaLSTM.create(2, 4, 1, 3);
            r = auto.forward(narrow, KitData.gaussian(4096 * 2, 1, 4), 1, 4096).report();
            assertEquals(Mode.FUSED, r.used(), r.toString());
            assertTrue(r.detail().contains("generic Newton measured slower at every shape"), r.detail());
            assertTrue(r.detail().contains("sequential in time"), "short narrow LSTM: sequential fused kernel: " + r.detail());
            assertTrue(r.converged(), r.toString());
        }
    }

    @Test
    void fusedIsOnlyOfferedForCellsItKnows() {
        try (CpuBackend backend = new CpuBackend(2, DiagonalKernels.best(), null)) {
            assertTrue(backend.fused(ParaGRU.create(4, 8, 1, 1)).isPresent());
            assertTrue(backend.fused(ParaLSTM.create(4, 8, 1, 1)).isPresent());
            assertTrue(backend.fused(org.pararnn.cells.DenseGRU.create(4, 8, 1, 1)).isEmpty());
            assertTrue(backend.autoChoice(org.pararnn.cells.DenseGRU.create(4, 8, 1, 1), 1, 10).isEmpty());
        }
    }
}
