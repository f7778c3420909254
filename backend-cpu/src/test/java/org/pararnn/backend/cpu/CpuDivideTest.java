package org.pararnn.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.spi.Backend;
import org.pararnn.backend.cpu.blas.Gemm;

/**
 * {@link CpuBackend#divide}: the threads shared out, products on each part's share of OpenBLAS threads (the
 * process-wide count set when a part's product runs, and set back by the whole backend's), and parts running
 * products at the same time getting the bits each gets alone.
 */
class CpuDivideTest {

    private static CpuBackend backend(int threads) {
        return new CpuBackend(threads, DiagonalKernels.best(), null);
    }

    @Test
    void threadsAreSharedOut() {
        try (CpuBackend four = backend(4)) {
            List<Backend> parts = four.divide(2).orElseThrow();
            assertEquals(2, parts.size());
            for (Backend p : parts) {
                assertEquals(2, p.loop().parallelism());
                p.close();
            }
            List<Backend> many = four.divide(8).orElseThrow();
            assertEquals(8, many.size());
            for (Backend p : many) {
                assertEquals(1, p.loop().parallelism(), "never fewer than one thread each");
                p.close();
            }
            assertThrows(IllegalArgumentException.class, () -> four.divide(0));
        }
    }

    /** C = A·B through {@code b}'s ops, large enough for OpenBLAS. */
    private static float[] product(Backend b, float[] a, float[] bm, int m, int n, int k) {
        float[] c = new float[m * n];
        b.ops().matmul(Matrix.of(HostArray.of("a", a), m, k), false, Matrix.of(HostArray.of("b", bm), k, n), false, 1f, 0f,
                Matrix.of(HostArray.of("c", c), m, n));
        return c;
    }

    @Test
    void eachPartsProductsRunOnItsShareOfOpenBlasThreads() throws Exception {
        int m = 256;
        int n = 192;
        int k = 160;
        Random r = new Random(3);
        float[][] as = new float[2][m * k];
        float[][] bs = new float[2][k * n];
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < as[s].length; i++) {
                as[s][i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < bs[s].length; i++) {
                bs[s][i] = (float) r.nextGaussian();
            }
        }
        try (CpuBackend two = backend(2)) {
            float[] whole = product(two, as[0], bs[0], m, n, k);
            int started = Gemm.blasThreadCount();
            List<Backend> parts = two.divide(2).orElseThrow();
            float[][] alone = {product(parts.get(0), as[0], bs[0], m, n, k), product(parts.get(1), as[1], bs[1], m, n, k)};
            assertEquals(1, Gemm.blasThreadCount(), "a one-thread part's product runs on one OpenBLAS thread");
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 20; round++) {
                    Future<float[]> f0 = pool.submit(() -> product(parts.get(0), as[0], bs[0], m, n, k));
                    Future<float[]> f1 = pool.submit(() -> product(parts.get(1), as[1], bs[1], m, n, k));
                    assertArrayEquals(alone[0], f0.get(), "round " + round);
                    assertArrayEquals(alone[1], f1.get(), "round " + round);
                }
            } finally {
                pool.shutdown();
            }
            float[] again = product(two, as[0], bs[0], m, n, k);
            assertEquals(started, Gemm.blasThreadCount(), "the whole backend's product sets OpenBLAS's count back");
            assertArrayEquals(whole, again);
            for (Backend p : parts) {
                p.close();
            }
        }
    }
}
