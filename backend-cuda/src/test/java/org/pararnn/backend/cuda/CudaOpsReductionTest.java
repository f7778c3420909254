package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pararnn.api.ops.DeviceArray;
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
}
