package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.CellTape;
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.ExpressionCell;

/**
 * What {@link TapeKernel} refuses before launching; that it computes what the reference interpreter does for every
 * library cell is the conformance kit's "cell tapes" group, on {@code cuda-emulated} here and on {@code cuda} on a GPU.
 */
class TapeKernelTest {
    private static final int D = 8;

    @Test
    void aTapeWithMoreRegistersThanAThreadHoldsIsRefusedSayingSo() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
        ExpressionCell cell = CellLibrary.all().get("mingru").cell(D, D, 1, 3);
        CellTape tape = cell.tape();
        List<float[]> params = new ArrayList<>();
        for (CellTape.Param p : tape.params()) {
            params.add(cell.parameters().stream().filter(t -> t.name().equals(p.name())).findFirst().map(Tensor::data).orElseThrow());
        }
        CellTape.Program big = new CellTape.Program(List.of(), TapeKernel.MAX_REGISTERS + 1, new int[0], new float[0]);
        try (EmulatedDevice device = new EmulatedDevice()) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> TapeKernel.run(device, tape, big, params, new float[D], new float[tape.gates() * D], 1, D));
            assertTrue(ex.getMessage().contains((TapeKernel.MAX_REGISTERS + 1) + " registers"), ex.getMessage());
        }
    }
}
