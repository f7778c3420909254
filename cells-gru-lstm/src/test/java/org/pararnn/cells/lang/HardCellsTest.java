package org.pararnn.cells.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;
import org.pararnn.api.check.CellCheck;

/** The solver-comparison cells: derivatives right, structures inferred, the gain applied. */
class HardCellsTest {

    @Test
    void bothPassTheirFiniteDifferenceChecksWithTheExpectedStructure() {
        ExpressionCell tanh = HardCells.unstableTanh(5, 6, 3.0, 1);
        ExpressionCell chaotic = HardCells.chaoticMap(5, 6, 8.0, 1);
        assertEquals(JacobianStructure.dense(), tanh.jacobianStructure());
        assertEquals(JacobianStructure.diagonal(), chaotic.jacobianStructure());
        for (ExpressionCell c : new ExpressionCell[] {tanh, chaotic}) {
            CellCheck.Report r = CellCheck.verify(c);
            assertTrue(r.passed(), r.toString());
        }
    }

    @Test
    void theGainScalesTheDrawnRecurrentMatrix() {
        float[] one = weights(HardCells.unstableTanh(4, 8, 1.0, 7));
        float[] three = weights(HardCells.unstableTanh(4, 8, 3.0, 7));
        for (int i = 0; i < one.length; i++) {
            assertEquals(3 * one[i], three[i], 1e-6f * Math.abs(three[i]) + 1e-7f);
        }
    }

    private static float[] weights(ExpressionCell cell) {
        return cell.parameters().stream().filter(t -> t.name().equals("W")).findFirst().map(Tensor::data).orElseThrow();
    }
}
