package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The layouts of docs/design.md §4, checked against explicit dense matrices built from them in float64. */
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

    @ParameterizedTest
    @MethodSource("cases")
    void compositionMatchesDenseMatrixProducts(JacobianStructure st, int s) {
        int c = st.coefficientsPerStep(s);
        float[] a = Fixtures.gaussian(c, 1, 3);
        float[] p = Fixtures.gaussian(c, 1, 4);
        float[] ap = new float[c];
        float[] atp = new float[c];
        st.compose(a, 0, p, 0, ap, 0, s);
        st.composeTransposed(a, 0, p, 0, atp, 0, s);
        double[][] ma = toDense(st, a, s);
        double[][] mp = toDense(st, p, s);
        double[][] got = toDense(st, ap, s);
        double[][] gotT = toDense(st, atp, s);
        for (int r = 0; r < s; r++) {
            for (int col = 0; col < s; col++) {
                double acc = 0;
                double accT = 0;
                for (int l = 0; l < s; l++) {
                    acc += ma[r][l] * mp[l][col];
                    accT += ma[l][r] * mp[l][col];
                }
                assertEquals(acc, got[r][col], 1e-5, "A·P[" + r + "][" + col + "]");
                assertEquals(accT, gotT[r][col], 1e-5, "Aᵀ·P[" + r + "][" + col + "]");
            }
        }
        float[] id = new float[c];
        st.identity(id, 0, s);
        double[][] mi = toDense(st, id, s);
        for (int r = 0; r < s; r++) {
            for (int col = 0; col < s; col++) {
                assertEquals(r == col ? 1.0 : 0.0, mi[r][col], "identity");
            }
        }
    }

    @Test
    void blockStructureRejectsWidthsThatAreNotMultiplesOfK() {
        var e = assertThrows(IllegalArgumentException.class, () -> JacobianStructure.blockDiagonal(3).checkStateWidth(10));
        assertEquals("state width 10 is not a multiple of the 3 blocks of block-diagonal(3)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JacobianStructure.blockDiagonal(0));
    }
}
