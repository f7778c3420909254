package org.pararnn.api;

/**
 * How a Newton solve ended (docs/design.md §4, "Failure policy"): every solver, generic or fused, on every backend,
 * returns one in its {@link SolveReport}, and every printer formats it from its numbers; no one parses the prose.
 */
public sealed interface NewtonOutcome {

    /** Every row met the tolerance after {@code iterations} linear solves. */
    record Converged(int iterations) implements NewtonOutcome {
    }

    /** The budget of iterations was spent without converging. */
    record BudgetSpent(int iterations) implements NewtonOutcome {
    }

    /** The residual grew {@code times} times in a row by iterate {@code iterations}: the iteration diverges. */
    record Diverged(int iterations, int times) implements NewtonOutcome {
    }

    /** The residual of iterate {@code iterations} was not finite (an overflow, or a NaN in the inputs). */
    record NonFinite(int iterations) implements NewtonOutcome {
    }

    /** Linear solves done when it ended. */
    int iterations();

    /** Whether the iterate met the tolerance. */
    default boolean converged() {
        return this instanceof Converged;
    }

    /** Why Newton stopped, in the words reports print ({@code not converged after 12 iterations}). */
    default String describe() {
        return switch (this) {
            case Converged c -> "converged after " + c.iterations() + " iterations";
            case BudgetSpent b -> "not converged after " + b.iterations() + " iterations";
            case Diverged d -> "residual grew " + d.times() + " times in a row (diverging)";
            case NonFinite n -> "non-finite residual at iteration " + n.iterations();
        };
    }

    /** One word for tables: {@code converged}, {@code budget}, {@code diverged} or {@code overflow}. */
    default String label() {
        return switch (this) {
            case Converged c -> "converged";
            case BudgetSpent b -> "budget";
            case Diverged d -> "diverged";
            case NonFinite n -> "overflow";
        };
    }
}
