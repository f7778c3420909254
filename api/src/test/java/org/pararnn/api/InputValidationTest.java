package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.pararnn.api.toy.TanhBlockCell;

/** Bad input gets an IllegalArgumentException that names the argument and, for NaN/Inf, the position. */
class InputValidationTest {
    final TanhBlockCell cell = new TanhBlockCell(3, 1, 4, 0.5, 1);
    final RnnSolver solver = RnnSolver.on(Fixtures.reference()).mode(Mode.PARALLEL);

    String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void wrongLengths() {
        assertEquals("x has 17 values, expected 18 for shape [2][3][3]", message(() -> solver.forward(cell, new float[17], 2, 3)));
        assertEquals("h0 has 4 values, expected 8 for shape [2][4]",
                message(() -> solver.forward(cell, new float[18], 2, 3, new float[4])));
        ForwardPass fp = solver.forward(cell, new float[18], 2, 3);
        assertEquals("gradOutput has 5 values, expected 24 for shape [2][3][4]", message(() -> solver.backward(fp, new float[5])));
        assertEquals("gradFinalState has 3 values, expected 8 for shape [2][4]",
                message(() -> solver.backward(fp, new float[24], new float[3], Gradients.of(cell))));
    }

    @Test
    void zeroOrNegativeSizes() {
        assertEquals("batch must be positive, got 0", message(() -> solver.forward(cell, new float[0], 0, 3)));
        assertEquals("steps must be positive, got -1", message(() -> solver.forward(cell, new float[0], 1, -1)));
        assertEquals("W has a negative dimension: [-1, 2]", message(() -> Tensor.zeros("W", -1, 2)));
    }

    @Test
    void nanAndInfinityAreLocated() {
        float[] x = new float[2 * 3 * 3];
        x[(1 * 3 + 2) * 3 + 1] = Float.NaN;
        assertEquals("x contains NaN at [b=1, t=2, i=1]", message(() -> solver.forward(cell, x, 2, 3)));
        float[] h0 = new float[8];
        h0[5] = Float.POSITIVE_INFINITY;
        assertEquals("h0 contains Infinity at [b=1, i=1]", message(() -> solver.forward(cell, new float[18], 2, 3, h0)));
        ForwardPass fp = solver.forward(cell, new float[18], 2, 3);
        float[] gy = new float[24];
        gy[0] = Float.NEGATIVE_INFINITY;
        assertEquals("gradOutput contains -Infinity at [b=0, t=0, i=0]", message(() -> solver.backward(fp, gy)));
    }

    @Test
    void tensorsTooLargeForOneArrayAreRefusedNotOverflowed() {
        assertEquals("x of shape [65536, 65536, 2] has more elements than one Java array can hold (2^31-1); "
                + "split the batch or the sequence", message(() -> Checks.elements("x", 65536, 65536, 2)));
        assertEquals("x of shape [4096, 1048576, 3] has more elements than one Java array can hold (2^31-1); "
                + "split the batch or the sequence", message(() -> solver.forward(cell, new float[1], 4096, 1 << 20)));
    }

    @Test
    void tensorDataMustMatchItsShape() {
        assertEquals("tensor 'A' of shape [3, 2] needs 6 values, got 5", message(() -> new Tensor("A", new int[] {3, 2}, new float[5])));
    }
}
