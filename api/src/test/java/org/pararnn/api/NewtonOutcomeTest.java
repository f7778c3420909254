package org.pararnn.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pararnn.api.solve.NewtonStopping;

/** The stopping rules' verdicts as values, with their numbers; a report cannot contradict its outcome. */
class NewtonOutcomeTest {
    private static NewtonOutcome run(NewtonStopping s, double... residuals) {
        for (int i = 0; i < residuals.length; i++) {
            Optional<NewtonOutcome> end = s.judge(i, residuals[i], 1f);
            if (end.isPresent()) {
                return end.get();
            }
        }
        return null;
    }

    @Test
    void eachRuleEndsWithItsOwnOutcome() {
        NewtonOptions o = NewtonOptions.defaults().withTolerance(1e-6f).withMaxIterations(4).withGrowthPatience(2);
        assertEquals(new NewtonOutcome.Converged(2), run(new NewtonStopping(o, 100), 1, 0.1, 1e-7));
        assertEquals(new NewtonOutcome.NonFinite(1), run(new NewtonStopping(o, 100), 1, Double.NaN));
        assertEquals(new NewtonOutcome.Diverged(2, 2), run(new NewtonStopping(o, 100), 1, 2, 3));
        NewtonOutcome budget = run(new NewtonStopping(o, 100), 1, 0.5, 0.4, 0.3, 0.2);
        assertEquals(new NewtonOutcome.BudgetSpent(4), budget);
        assertEquals("not converged after 4 iterations", budget.describe());
        assertEquals("budget", budget.label());
        assertEquals("overflow", new NewtonOutcome.NonFinite(1).label());
        assertEquals(null, run(new NewtonStopping(o, 100), 1, 0.5), "still going");
    }

    @Test
    void aReportAgreesWithItsOutcome() {
        SolveReport failed = SolveReport.newton(Mode.PARALLEL, Mode.PARALLEL, "x", "d", new double[] {1, 2},
                new NewtonOutcome.Diverged(1, 2), null, 0);
        assertTrue(!failed.converged() && failed.iterations() == 1, failed.toString());
        assertEquals("residual grew 2 times in a row (diverging)", failed.fallbackReason());
        assertThrows(IllegalArgumentException.class, () -> new SolveReport(Mode.PARALLEL, Mode.PARALLEL, "x", "d", 3,
                new double[0], true, -1, null, 0, new NewtonOutcome.BudgetSpent(3)));
        SolveReport sequential = new SolveReport(Mode.SEQUENTIAL, Mode.SEQUENTIAL, "x", "d", 0, null, true, -1, null, 0);
        assertEquals(null, sequential.outcome(), "no Newton, no outcome");
    }
}
