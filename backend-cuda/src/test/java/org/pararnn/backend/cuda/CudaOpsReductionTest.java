package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.spi.Backend;
import org.pararnn.conformance.KitData;

/**
 * The ops' reductions spread over many blocks (contiguous ranges, then one block over the blocks' results):
 * the sum of squares within 1e-12 of float64 and the same bits on every call, and the first non-finite value
 * found wherever it lies (first block, last block, two in different blocks: the lower index).
 */
class CudaOpsReductionTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    @Test
    void theSumOfSquaresSpreadsOverBlocksAndKeepsItsBits() {
        int n = 1_000_003;
        assertTrue(CudaOps.reductionBlocks(n) > 200, "spread over " + CudaOps.reductionBlocks(n) + " blocks");
        float[] x = KitData.gaussian(n, 1, 17);
        try (Backend b = new CudaEmulatedBackendProvider().create()) {
            CudaOps ops = (CudaOps) b.ops();
            DeviceArray a = ops.allocate("x", n);
            ops.upload(x, 0, a, 0, n);
            double want = 0;
            for (float v : x) {
                want += (double) v * v;
            }
            double got = ops.sumOfSquares(a);
            assertEquals(want, got, 1e-12 * want);
            assertEquals(Double.doubleToRawLongBits(got), Double.doubleToRawLongBits(ops.sumOfSquares(a)), "the same bits");
        }
    }

    @Test
    void theFirstNonFiniteValueIsFoundInAnyBlock() {
        int n = 700_001;
        try (Backend b = new CudaEmulatedBackendProvider().create()) {
            CudaOps ops = (CudaOps) b.ops();
            DeviceArray a = ops.allocate("x", n);
            float[] x = KitData.gaussian(n, 1, 5);
            ops.upload(x, 0, a, 0, n);
            assertNull(ops.firstNonFinite(a, n));
            x[n - 2] = Float.NaN;
            ops.upload(x, 0, a, 0, n);
            assertArrayEquals(new float[] {n - 2, Float.NaN}, ops.firstNonFinite(a, n));
            x[400_000] = Float.NEGATIVE_INFINITY;
            ops.upload(x, 0, a, 0, n);
            assertArrayEquals(new float[] {400_000, Float.NEGATIVE_INFINITY}, ops.firstNonFinite(a, n));
            x[0] = Float.POSITIVE_INFINITY;
            ops.upload(x, 0, a, 0, n);
            assertArrayEquals(new float[] {0, Float.POSITIVE_INFINITY}, ops.firstNonFinite(a, n));
        }
    }

    private static float[] download(CudaOps ops, DeviceArray a, int n) {
        float[] x = new float[n];
        ops.download(a, 0, x, 0, n);
        return x;
    }

    /** Column sums over 5000 rows run in 9 chunks side by side, added in order: within the row-sum bound, same bits. */
    @Test
    void columnSumsOverManyRowsSpreadOverChunks() {
        int rows = 5000;
        int width = 37;
        assertEquals(9, CudaOps.rowChunks(rows));
        float[] src = KitData.gaussian(rows * width, 1, 3);
        float[] dst0 = KitData.gaussian(width, 1, 4);
        try (Backend b = new CudaEmulatedBackendProvider().create()) {
            CudaOps ops = (CudaOps) b.ops();
            DeviceArray s = ops.allocate("src", (long) rows * width);
            ops.upload(src, 0, s, 0, rows * width);
            float[][] got = new float[2][];
            for (int round = 0; round < 2; round++) {
                DeviceArray d = ops.allocate("dst", width);
                ops.upload(dst0, 0, d, 0, width);
                ops.addColumnSums(Matrix.of(s, rows, width), d);
                got[round] = download(ops, d, width);
            }
            assertArrayEquals(got[0], got[1], "the same bits");
            for (int j = 0; j < width; j++) {
                double want = dst0[j];
                double mag = Math.abs(dst0[j]);
                for (int r = 0; r < rows; r++) {
                    want += src[r * width + j];
                    mag += Math.abs(src[r * width + j]);
                }
                assertEquals(want, got[0][j], (rows + 2) * 0x1p-24 * mag, "column " + j);
            }

            // RMSNorm's gain gradient over the same rows: Σ_r dy·x·invRms, added to what the gradient held.
            DeviceArray gain = ops.allocate("gain", width);
            ops.upload(KitData.gaussian(width, 1, 5), 0, gain, 0, width);
            DeviceArray y = ops.allocate("y", (long) rows * width);
            DeviceArray inv = ops.allocate("invRms", rows);
            ops.rmsNorm(Matrix.of(s, rows, width), gain, Matrix.of(y, rows, width), inv);
            float[] invRms = download(ops, inv, rows);
            float[] dy = KitData.gaussian(rows * width, 1, 6);
            DeviceArray dyA = ops.allocate("dy", (long) rows * width);
            ops.upload(dy, 0, dyA, 0, rows * width);
            DeviceArray gg = ops.allocate("gradGain", width);
            ops.upload(dst0, 0, gg, 0, width);
            DeviceArray dx = ops.allocate("dx", (long) rows * width);
            ops.rmsNormBackward(Matrix.of(s, rows, width), gain, inv, Matrix.of(dyA, rows, width), Matrix.of(dx, rows, width), false, gg);
            float[] grad = download(ops, gg, width);
            for (int j = 0; j < width; j++) {
                double want = dst0[j];
                double mag = Math.abs(dst0[j]);
                for (int r = 0; r < rows; r++) {
                    double t = (double) dy[r * width + j] * src[r * width + j] * invRms[r];
                    want += t;
                    mag += Math.abs(t);
                }
                assertEquals(want, grad[j], (rows + 4) * 0x1p-24 * mag, "gain gradient " + j);
            }
        }
    }

    /** The residual scale's and the convolution's parameter gradients over 5200 rows: chunks added in order, within bound. */
    @Test
    void scaleAndConvolutionGradientsOverManyRows() {
        int batch = 2;
        int steps = 2600;
        int rows = batch * steps;
        int width = 5;
        int k = 4;
        assertTrue(CudaOps.rowChunks(rows) > 1);
        float[] x = KitData.gaussian(rows * width, 1, 7);
        float[] dy = KitData.gaussian(rows * width, 1, 8);
        float[] w0 = KitData.gaussian(width * k, 1, 9);
        float[] b0 = KitData.gaussian(width, 1, 10);
        try (Backend b = new CudaEmulatedBackendProvider().create()) {
            CudaOps ops = (CudaOps) b.ops();
            DeviceArray xa = ops.allocate("x", (long) rows * width);
            DeviceArray dya = ops.allocate("dy", (long) rows * width);
            ops.upload(x, 0, xa, 0, rows * width);
            ops.upload(dy, 0, dya, 0, rows * width);
            DeviceArray scale = ops.allocate("scale", width);
            DeviceArray gs = ops.allocate("gradScale", width);
            ops.upload(b0, 0, gs, 0, width);
            DeviceArray dyOut = ops.allocate("dyOut", (long) rows * width);
            ops.scaledResidualBackward(Matrix.of(xa, rows, width), scale, Matrix.of(dya, rows, width), Matrix.of(dyOut, rows, width), gs);
            float[] gotScale = download(ops, gs, width);
            DeviceArray weight = ops.allocate("weight", width * k);
            DeviceArray gw = ops.allocate("gradWeight", width * k);
            DeviceArray gb = ops.allocate("gradBias", width);
            ops.upload(w0, 0, gw, 0, width * k);
            ops.upload(b0, 0, gb, 0, width);
            DeviceArray dx = ops.allocate("dx", (long) rows * width);
            ops.causalConvBackward(Matrix.of(xa, rows, width), batch, steps, weight, Matrix.of(dya, rows, width), Matrix.of(dx, rows, width),
                    gw, gb);
            float[] gotW = download(ops, gw, width * k);
            float[] gotB = download(ops, gb, width);
            for (int d = 0; d < width; d++) {
                double scaleWant = b0[d];
                double scaleMag = Math.abs(b0[d]);
                double biasWant = b0[d];
                double biasMag = Math.abs(b0[d]);
                double[] wWant = new double[k];
                double[] wMag = new double[k];
                for (int q = 0; q < k; q++) {
                    wWant[q] = w0[d * k + q];
                    wMag[q] = Math.abs(w0[d * k + q]);
                }
                for (int bi = 0; bi < batch; bi++) {
                    for (int t = 0; t < steps; t++) {
                        int r = bi * steps + t;
                        double g = dy[r * width + d];
                        scaleWant += g * x[r * width + d];
                        scaleMag += Math.abs(g * x[r * width + d]);
                        biasWant += g;
                        biasMag += Math.abs(g);
                        for (int q = 0; q < k; q++) {
                            int ts = t - (k - 1) + q;
                            if (ts >= 0) {
                                double term = g * x[(bi * steps + ts) * width + d];
                                wWant[q] += term;
                                wMag[q] += Math.abs(term);
                            }
                        }
                    }
                }
                double eps = 0x1p-24;
                assertEquals(scaleWant, gotScale[d], (rows + 4) * eps * scaleMag, "scale gradient " + d);
                assertEquals(biasWant, gotB[d], (rows + 4) * eps * biasMag, "bias gradient " + d);
                for (int q = 0; q < k; q++) {
                    assertEquals(wWant[q], gotW[d * k + q], (rows + 4) * eps * wMag[q], "weight gradient " + d + "," + q);
                }
            }
        }
    }
}
