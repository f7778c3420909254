package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Cell;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;

abstract class ConcurrencyChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @Test
    void eightThreadsGetTheSingleThreadedResultsBitForBit() throws Exception {
        int batch = 3;
        int steps = 1500;
        float[] x = KitData.gaussian(batch * steps * 8, 1, 5);
        float[] gy = KitData.gaussian(batch * steps * 13, 1, 6);
        for (Cell cell : concurrencyCells()) {
            for (RnnSolver solver : solversFor(backend(), cell)) {
                Callable<float[][]> job = () -> forwardAndBackward(solver, cell, x, gy, batch, steps);
                float[][] single = job.call();
                ExecutorService pool = Executors.newFixedThreadPool(8);
                try {
                    List<Future<float[][]>> futures = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        futures.add(pool.submit(job));
                    }
                    for (Future<float[][]> fu : futures) {
                        float[][] got = fu.get();
                        for (int k = 0; k < single.length; k++) {
                            assertArrayEquals(single[k], got[k], cell.type() + " " + label(solver) + " output " + k
                                    + " differs when run from 8 threads at once");
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
        }
    }
}
