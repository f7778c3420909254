package org.pararnn.api.solve;

import java.util.Arrays;
import java.util.Optional;
import org.pararnn.api.NewtonOutcome;
import org.pararnn.api.NewtonOptions;

/**
 * The convergence test and stopping rules a Newton solve over time shares with every other (generic or
 * fused, any backend): converged when the residual is within {@code tolerance · max(1, scale)}; failed
 * when the residual is not finite, grew {@code growthPatience} times in a row (not for ELK), or the iteration budget
 * is spent. Keeps the residual history the report carries (one entry per iterate, the initial guess first).
 */
public final class NewtonStopping {
    private final NewtonOptions options;
    private final int budget;
    private final double[] history;
    private int growth;

    public NewtonStopping(NewtonOptions options, int steps) {
        this.options = options;
        this.budget = options.iterationBudget(steps);
        this.history = new double[budget + 1];
    }

    /**
     * Records the residual of iterate {@code iteration} (0 is the initial guess) and says how the solve ends, or empty
     * to take another step.
     */
    public Optional<NewtonOutcome> judge(int iteration, double residual, float scale) {
        boolean finite = Double.isFinite(residual);
        history[iteration] = finite ? residual : Double.NaN;
        if (finite && residual <= options.tolerance() * Math.max(1f, scale)) {
            return Optional.of(new NewtonOutcome.Converged(iteration));
        }
        if (!finite) {
            return Optional.of(new NewtonOutcome.NonFinite(iteration));
        }
        // ELK keeps only steps that lower the sum of squares; its maximum may rise on the way (ELK has its own rule).
        growth = !options.elk() && iteration > 0 && residual > history[iteration - 1] ? growth + 1 : 0;
        if (growth >= options.growthPatience()) {
            return Optional.of(new NewtonOutcome.Diverged(iteration, growth));
        }
        if (iteration == budget) {
            return Optional.of(new NewtonOutcome.BudgetSpent(budget));
        }
        return Optional.empty();
    }

    /** The residuals of iterates {@code 0..iterations}. */
    public double[] history(int iterations) {
        return Arrays.copyOf(history, iterations + 1);
    }
}
