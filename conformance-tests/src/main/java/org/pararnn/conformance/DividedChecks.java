package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Cell;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.spi.Backend;

/**
 * {@link Backend#divide}, where a backend offers it: every part runs on Java arrays, and two parts used from two
 * threads at once (replicas side by side) solve, differentiate and multiply as the whole backend does.
 */
abstract class DividedChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @Test
    void partsSideBySideComputeWhatTheWholeBackendComputes() throws Exception {
        Optional<List<Backend>> divided = backend().divide(2);
        assumeTrue(divided.isPresent(), "backend " + backend().name() + " does not divide itself (Backend.divide is empty)");
        List<Backend> parts = divided.get();
        try {
            assertEquals(2, parts.size(), "divide(2) gives two parts");
            int batch = 3;
            int steps = 300;
            float[] x = KitData.gaussian(batch * steps * 8, 1, 5);
            float[] gy = KitData.gaussian(batch * steps * 13, 1, 6);
            // Above the 2^20 multiply-adds from which the cpu backend hands products to OpenBLAS.
            int m = 128;
            int n = 96;
            int k = 112;
            float[] a = KitData.gaussian(m * k, 1, 7);
            float[] b = KitData.gaussian(k * n, 1, 8);
            for (Cell cell : concurrencyCells()) {
                float[][] whole = solveAndMultiply(backend(), cell, x, gy, batch, steps, a, b, m, n, k);
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    List<Future<float[][]>> futures = new ArrayList<>();
                    for (Backend part : parts) {
                        assertTrue(part.ops().takesHostArrays(), "a part of " + backend().name() + " runs on Java arrays");
                        futures.add(pool.submit(() -> solveAndMultiply(part, cell, x, gy, batch, steps, a, b, m, n, k)));
                    }
                    for (Future<float[][]> f : futures) {
                        float[][] got = f.get();
                        String[] what = {"output", "gradient of the input", "gradient of A", "product"};
                        for (int i = 0; i < whole.length; i++) {
                            double err = KitData.relError(got[i], KitData.toDouble(whole[i]));
                            assertTrue(err <= 1e-5, cell.type() + " " + what[i] + " of a part differs from the whole"
                                    + " backend's by " + err + " (relative L2)");
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        } finally {
            for (Backend part : parts) {
                part.close();
            }
        }
    }

    private float[][] solveAndMultiply(Backend on, Cell cell, float[] x, float[] gy, int batch, int steps, float[] a,
                                       float[] b, int m, int n, int k) {
        float[][] solved = forwardAndBackward(RnnSolver.on(on).mode(Mode.AUTO), cell, x, gy, batch, steps);
        Ops ops = on.ops();
        DeviceArray da = ops.allocate("a", a.length);
        DeviceArray db = ops.allocate("b", b.length);
        DeviceArray dc = ops.allocate("c", (long) m * n);
        ops.upload(a, 0, da, 0, a.length);
        ops.upload(b, 0, db, 0, b.length);
        ops.matmul(Matrix.of(da, m, k), false, Matrix.of(db, k, n), false, 1f, 0f, Matrix.of(dc, m, n));
        float[] c = new float[m * n];
        ops.download(dc, 0, c, 0, c.length);
        return new float[][] {solved[0], solved[1], solved[2], c};
    }
}
