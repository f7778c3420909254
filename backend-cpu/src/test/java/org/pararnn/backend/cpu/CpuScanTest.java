package org.pararnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.ScanProblem;
import org.pararnn.conformance.Float64Scan;
import org.pararnn.conformance.KitData;
import org.pararnn.conformance.ScanCase;
import org.pararnn.conformance.Tolerances;

/**
 * What the conformance suite cannot see from outside: the chunked three-phase path with many chunks
 * (8 threads on this 2-core machine, so B = 1 and B = 3 are split), and the scalar and SIMD kernels
 * agreeing bit for bit.
 */
class CpuScanTest {

    @Test
    void chunkedScansMatchFloat64ForEveryStructure() {
        try (CpuLoop loop = new CpuLoop(8)) {
            CpuScan scan = new CpuScan(loop, DiagonalKernels.best(), true);
            assertTrue(scan.chunks(1, 20_000, JacobianStructure.dense()) > 8, "the test must exercise many chunks");
            for (JacobianStructure st : List.of(JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                    JacobianStructure.blockDiagonal(3), JacobianStructure.dense())) {
                int s = st instanceof JacobianStructure.BlockDiagonal bd ? bd.blocks() * 7 : 11;
                for (int batch : new int[] {1, 3}) {
                    ScanCase c = new ScanCase(st, s, batch, 20_000);
                    float[] a = c.coefficients(3);
                    float[] b = KitData.gaussian(batch * 20_000 * s, 1, 4);
                    float[] init = KitData.gaussian(batch * s, 1, 5);
                    float[] out = new float[b.length];
                    scan.forward(new ScanProblem(st, batch, 20_000, s, 0, 20_000, a, b, init, out));
                    double err = KitData.relError(out, Float64Scan.forward(st, batch, 20_000, s, 0, 20_000, a, b, init));
                    assertTrue(err <= Tolerances.scan(20_000), st.describe() + " B=" + batch + " forward " + err);
                    float[] carry = KitData.gaussian(batch * s, 1, 6);
                    scan.reverse(new ScanProblem(st, batch, 20_000, s, 100, 19_000, a, b, carry, out));
                    double[] want = Float64Scan.reverse(st, batch, 20_000, s, 100, 19_000, a, b, carry);
                    float[] got = new float[batch * 18_900 * s];
                    double[] ref = new double[got.length];
                    for (int bi = 0; bi < batch; bi++) {
                        System.arraycopy(out, (bi * 20_000 + 100) * s, got, bi * 18_900 * s, 18_900 * s);
                        System.arraycopy(want, (bi * 20_000 + 100) * s, ref, bi * 18_900 * s, 18_900 * s);
                    }
                    err = KitData.relError(got, ref);
                    assertTrue(err <= Tolerances.scan(18_900), st.describe() + " B=" + batch + " reverse " + err);
                }
            }
        }
    }

    @Test
    void scalarAndVectorKernelsAgreeBitForBit() {
        DiagonalKernels vector = DiagonalKernels.best();
        DiagonalKernels scalar = new ScalarDiagonalKernels("scalar");
        assertTrue(vector.lanes() > 1, "the test JVM runs with jdk.incubator.vector: " + vector.describe());
        for (int n : new int[] {1, 7, 8, 13, 64, 67}) {
            float[] a = KitData.gaussian(n + 3, 1, n);
            float[] x = KitData.gaussian(n + 5, 1, n + 1);
            float[] b = KitData.gaussian(n + 2, 1, n + 2);
            float[] o1 = new float[n + 4];
            float[] o2 = new float[n + 4];
            vector.fma(a, 3, x, 5, b, 2, o1, 4, n);
            scalar.fma(a, 3, x, 5, b, 2, o2, 4, n);
            assertArrayEquals(o2, o1, "fma n=" + n);
            float[] d1 = KitData.gaussian(n, 1, 9);
            float[] d2 = d1.clone();
            vector.propagateAdd(a, 3, d1, o1, 4, n);
            scalar.propagateAdd(a, 3, d2, o2, 4, n);
            assertArrayEquals(d2, d1, "propagate n=" + n);
            assertArrayEquals(o2, o1, "propagate-add n=" + n);
            vector.scale(a, 0, d1, n);
            scalar.scale(a, 0, d2, n);
            assertArrayEquals(d2, d1, "scale n=" + n);
        }
        assertEquals(1, scalar.lanes());
    }
}
