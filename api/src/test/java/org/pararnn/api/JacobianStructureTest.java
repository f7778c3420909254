package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The layouts of DESIGN §4, checked against explicit dense matrices built from them in float64. */
class JacobianStructureTest {

    static List<Object[]> cases() {
        return List.of(new Object[] {JacobianStructure.diagonal(), 7},
                new Object[] {JacobianStructure.blockDiagonal(2), 10},
                new Object[] {JacobianStructure.blockDiagonal(3), 9},
                new Object[] {JacobianStructure.dense(), 5});
    }

    /** The dense {@code S×S} matrix a coefficient block stands for, from the layout's definition. */
    static double[][] toDense(JacobianStructure st, float[] a, int s) {
        double[][] m = new double[s][s];
        switch (st) {
            case JacobianStructure.Diagonal d -> {
                for (int i = 0; i < s; i++) {
                    m[i][i] = a[i];
                }
            }
            case JacobianStructure.BlockDiagonal bd -> {
                int k = bd.blocks();
                int w = s / k;
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        for (int p = 0; p < w; p++) {
                            m[i * w + p][j * w + p] = a[(i * k + j) * w + p];
                        }
                    }
                }
            }
            case JacobianStructure.Dense d -> {
                for (int r = 0; r < s; r++) {
                    for (int c = 0; c < s; c++) {
                        m[r][c] = a[r * s + c];
                    }
                }
            }
        }
        return m;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void multiplyMatchesTheDenseMatrixOfTheLayout(JacobianStructure st, int s) {
        float[] a = Fixtures.gaussian(st.coefficientsPerStep(s), 1, 1);
        float[] h = Fixtures.gaussian(s, 1, 2);
        double[][] m = toDense(st, a, s);
        float[] out = new float[s];
        float[] outT = new float[s];
        st.multiply(a, 0, h, 0, out, 0, s);
        st.multiplyTransposed(a, 0, h, 0, outT, 0, s);
        for (int r = 0; r < s; r++) {
            double acc = 0;
            double accT = 0;
            for (int c = 0; c < s; c++) {
                acc += m[r][c] * h[c];
                accT += m[c][r] * h[c];
            }
            assertEquals(acc, out[r], 1e-5, "row " + r);
            assertEquals(accT, outT[r], 1e-5, "transposed row " + r);
        }
    }

    @Test
    void blockStructureRejectsWidthsThatAreNotMultiplesOfK() {
        var e = assertThrows(IllegalArgumentException.class, () -> JacobianStructure.blockDiagonal(3).checkStateWidth(10));
        assertEquals("state width 10 is not a multiple of the 3 blocks of block-diagonal(3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JacobianStructure.blockDiagonal(0));
    }
}
