package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.Cell;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Gradients;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.Backend;
import org.pararnn.conformance.f64.F64Sequence;

abstract class CellChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @ParameterizedTest(name = "{0}")
    @MethodSource("org.pararnn.conformance.CellCase#all")
    void forwardAndBackwardInEveryModeMatchFloat64(CellCase c, TestReporter reporter) {
        Cell cell = c.cell();
        float[] x = KitData.gaussian(c.batch() * c.steps() * cell.inputWidth(), 1, c.steps() + 3L);
        float[] h0 = KitData.gaussian(c.batch() * cell.stateWidth(), 0.3, 4);
        float[] gy = KitData.gaussian(c.batch() * c.steps() * cell.outputWidth(), 1, 5);
        F64Sequence ref = F64Sequence.run(c.reference(), x, c.batch(), c.steps(), h0, gy);
        double tol = Tolerances.cell(c.steps());
        for (RnnSolver solver : solversFor(backend(), cell)) {
            ForwardPass fwd = solver.forward(cell, x, c.batch(), c.steps(), h0);
            String what = c + " " + label(solver) + " [" + fwd.report() + "]";
            assertTrue(fwd.report().converged() || fwd.report().fellBack(), what);
            double worst = KitData.relError(fwd.output(), ref.output);
            within(tol, worst, what + " y");
            BackwardPass bwd = solver.backward(fwd, gy, null, Gradients.of(cell));
            double e = KitData.relError(bwd.gradInput(), ref.gradX);
            within(tol, e, what + " grad x");
            worst = Math.max(worst, e);
            e = KitData.relError(bwd.gradInitialState(), ref.gradH0);
            within(tol, e, what + " grad h0");
            worst = Math.max(worst, e);
            for (Tensor g : bwd.gradients().tensors()) {
                e = KitData.relError(g.data(), ref.grads.get(g.name()));
                within(tol, e, what + " grad " + g.name());
                worst = Math.max(worst, e);
            }
            publish(reporter, "error." + label(solver), worst);
        }
    }
}
