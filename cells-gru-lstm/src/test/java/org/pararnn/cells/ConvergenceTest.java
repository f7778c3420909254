package org.pararnn.cells;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.reference.ReferenceBackend;

/**
 * ParaGRU and ParaLSTM with the reference initialisation converge to a residual ≤ 1e-6 in ≤ 4 Newton
 * iterations at T = 4096 (the paper's observation, issue 3's acceptance), over 12 seeds each.
 * The iteration histogram is printed for the record.
 */
class ConvergenceTest {

    @Test
    void referenceInitialisationConvergesInAtMostFourIterations() {
        RnnSolver solver = RnnSolver.on(new ReferenceBackend()).mode(Mode.PARALLEL)
                .newton(NewtonOptions.defaults().withTolerance(1e-6f).withOnFailure(NewtonOptions.OnFailure.REPORT));
        int steps = 4096;
        for (String kind : new String[] {"ParaGRU", "ParaLSTM"}) {
            Map<Integer, Integer> histogram = new TreeMap<>();
            double worst = 0;
            for (int seed = 0; seed < 12; seed++) {
                ParaCell cell = kind.equals("ParaGRU") ? ParaGRU.create(32, 32, 2, seed) : ParaLSTM.create(32, 32, 2, seed);
                float[] x = Data.gaussian(2 * steps * 32, 1, 1000 + seed);
                SolveReport r = solver.forward(cell, x, 2, steps).report();
                assertTrue(r.converged(), kind + " seed " + seed + ": " + r);
                assertTrue(r.finalResidual() <= 1e-6, kind + " seed " + seed + ": " + r);
                assertTrue(r.iterations() <= 4, kind + " seed " + seed + ": " + r);
                histogram.merge(r.iterations(), 1, Integer::sum);
                worst = Math.max(worst, r.finalResidual());
            }
            System.out.println(kind + " T=" + steps + " B=2 N=D=32 H=2, 12 seeds: iterations -> runs " + histogram
                    + ", worst final residual " + worst);
        }
    }
}
