package org.pararnn.api;

/**
 * How a Newton solve ended (docs/design.md §4, "Failure policy"): every solver, generic or fused, on every backend,
 * returns one in its {@link SolveReport}, and every printer formats it from its numbers; no one parses the prose.
 */
public sealed interface NewtonOutcome {

    /** Whether the iterate met the tolerance. */
    boolean converged();

    /** Linear solves done when it ended. */
    int iterations();

    /** Why Newton stopped, in the words reports print ({@code not converged after 12 iterations}). */
    String describe();

    /** One word for tables: {@code converged}, {@code budget}, {@code diverged} or {@code overflow}. */
    String label();

    /** Every row met the tolerance after {@code iterations} linear solves. */
    record Converged(int iterations) implements NewtonOutcome {
        @Override
        public boolean converged() {
            return true;
        }

        @Override
        public String describe() {
            return "converged after " + iterations + " iterations";
        }

        @Override
        public String label() {
            return "converged";
        }
    }

    /** The budget of iterations was spent without converging. */
    record BudgetSpent(int iterations) implements NewtonOutcome {
        @Override
        public boolean converged() {
            return false;
        }

        @Override
        public String describe() {
            return "not converged after " + iterations + " iterations";
        }

        @Override
        public String label() {
            return "budget";
        }
    }

    /** The residual grew {@code times} times in a row: the iteration diverges. */
    record Diverged(int iterations, int times) implements NewtonOutcome {
        @Override
        public boolean converged() {
            return false;
        }

        @Override
        public String describe() {
            return "residual grew " + times + " times in a row (diverging)";
        }

        @Override
        public String label() {
            return "diverged";
        }
    }

    /** The residual of iterate {@code iterations} was not finite (an overflow, or a NaN in the inputs). */
    record NonFinite(int iterations) implements NewtonOutcome {
        @Override
        public boolean converged() {
            return false;
        }

        @Override
        public String describe() {
            return "non-finite residual at iteration " + iterations;
        }

        @Override
        public String label() {
            return "overflow";
        }
    }
}
