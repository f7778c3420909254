package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.ScanProblem;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;

abstract class BadInputChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @Test
    void nonFiniteInputIsRefusedNamingWhere() {
        ParaGRU cell = ParaGRU.create(3, 5, 1, 1);
        for (RnnSolver solver : solversFor(backend(), cell)) {
            float[] x = new float[2 * 4 * 3];
            x[(1 * 4 + 2) * 3 + 1] = Float.NaN;
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> solver.forward(cell, x, 2, 4));
            assertEquals("x contains NaN at [b=1, t=2, i=1]", e.getMessage());
            float[] h0 = new float[2 * 5];
            h0[7] = Float.NEGATIVE_INFINITY;
            e = assertThrows(IllegalArgumentException.class, () -> solver.forward(cell, new float[24], 2, 4, h0));
            assertEquals("h0 contains -Infinity at [b=1, i=2]", e.getMessage());
        }
    }

    @Test
    void wrongLengthsAndZeroSizesAreRefusedAndTouchNothing() {
        ParaLSTM cell = ParaLSTM.create(3, 4, 1, 2);
        for (RnnSolver solver : solversFor(backend(), cell)) {
            assertThrows(IllegalArgumentException.class, () -> solver.forward(cell, new float[23], 2, 4));
            assertThrows(IllegalArgumentException.class, () -> solver.forward(cell, new float[0], 0, 4));
            ForwardPass fwd = solver.forward(cell, new float[24], 2, 4);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> solver.backward(fwd, new float[7]));
            assertTrue(e.getMessage().startsWith("gradOutput has 7 values"), e.getMessage());
        }
        for (JacobianStructure st : List.of(JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.dense())) {
            if (!backend().scan().supports(st)) {
                continue;
            }
            int c = st.coefficientsPerStep(4);
            float[] out = KitData.gaussian(2 * 3 * 4, 1, 1);
            float[] copy = out.clone();
            assertThrows(IllegalArgumentException.class, () -> backend().scan().forward(
                    ScanProblem.whole(st, 2, 3, 4, new float[2 * 3 * c - 1], new float[24], null, out)));
            assertThrows(IllegalArgumentException.class, () -> backend().scan().reverse(
                    ScanProblem.whole(st, 2, 3, 4, new float[2 * 3 * c], new float[24], new float[8], out)));
            assertArrayEquals(copy, out, "a refused scan wrote into the caller's output");
        }
    }
}
