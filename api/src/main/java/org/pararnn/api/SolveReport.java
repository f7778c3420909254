package org.pararnn.api;

import java.util.Arrays;
import java.util.Locale;

/**
 * What a solve did, so that nothing is returned silently: the mode that ran (and why, for
 * {@link Mode#AUTO}), Newton iterations and residual history, whether it converged, and any fallback.
 *
 * @param requested        the mode the caller asked for
 * @param used             the mode that ran
 * @param backend          the backend's name
 * @param detail           a human line: what ran and why (AUTO's reasoning, the fused kernel's variant)
 * @param iterations       linear solves performed (0 for a sequential solve)
 * @param residuals        residual {@code ‖h − f(shift h)‖_∞} of each iterate, the last one final
 * @param converged        true when the returned states satisfy the recurrence within tolerance
 *                         (always for a completed sequential solve)
 * @param fallbackFromStep first time step solved sequentially after Newton failed; -1 when none
 * @param fallbackReason   why Newton was abandoned ({@code null} when it was not)
 * @param nanos            wall time of the solve
 * @param outcome          how Newton ended, as a value to switch on ({@code null} when no Newton ran: a sequential
 *                         solve, a fused walk); {@code fallbackReason} is its words, with where it happened
 */
public record SolveReport(Mode requested, Mode used, String backend, String detail, int iterations,
                          double[] residuals, boolean converged, int fallbackFromStep, String fallbackReason,
                          long nanos, NewtonOutcome outcome) {

    public SolveReport {
        residuals = residuals == null ? new double[0] : residuals.clone();
        if (outcome != null && outcome.converged() != converged) {
            throw new IllegalArgumentException("a report that " + (converged ? "converged" : "did not converge")
                    + " cannot carry the outcome " + outcome);
        }
    }

    /** A report of a solve that ran no Newton iteration (sequential, a fused walk): no {@link #outcome()}. */
    public SolveReport(Mode requested, Mode used, String backend, String detail, int iterations, double[] residuals,
                       boolean converged, int fallbackFromStep, String fallbackReason, long nanos) {
        this(requested, used, backend, detail, iterations, residuals, converged, fallbackFromStep, fallbackReason, nanos,
                null);
    }

    /** The report of a Newton solve that ended with {@code outcome} ({@code reason}: its words and where, or null). */
    public static SolveReport newton(Mode requested, Mode used, String backend, String detail, double[] residuals,
                                     NewtonOutcome outcome, String reason, long nanos) {
        return new SolveReport(requested, used, backend, detail, outcome.iterations(), residuals, outcome.converged(), -1,
                outcome.converged() ? null : reason != null ? reason : outcome.describe(), nanos, outcome);
    }

    @Override
    public double[] residuals() {
        return residuals.clone();
    }

    /** The last measured residual, or 0 for a solve that measured none (sequential). */
    public double finalResidual() {
        return residuals.length == 0 ? 0.0 : residuals[residuals.length - 1];
    }

    public boolean fellBack() {
        return fallbackFromStep >= 0;
    }

    public SolveReport withRequested(Mode mode, String extraDetail) {
        String d = extraDetail == null ? detail : extraDetail + "; " + detail;
        return new SolveReport(mode, used, backend, d, iterations, residuals, converged, fallbackFromStep,
                fallbackReason, nanos, outcome);
    }

    public SolveReport withNanos(long n) {
        return new SolveReport(requested, used, backend, detail, iterations, residuals, converged,
                fallbackFromStep, fallbackReason, n, outcome);
    }

    /** One line for logs and the CLI. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("mode=").append(used);
        if (requested != used) {
            sb.append(" (requested ").append(requested).append(')');
        }
        sb.append(" backend=").append(backend)
                .append(" iterations=").append(iterations)
                .append(" converged=").append(converged);
        if (residuals.length > 0) {
            sb.append(" residual=").append(String.format(Locale.ROOT, "%.3e", finalResidual()));
            sb.append(" history=[");
            for (int i = 0; i < residuals.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2e", residuals[i]));
            }
            sb.append(']');
        }
        if (fellBack()) {
            sb.append(" fallback=sequential-from-t=").append(fallbackFromStep).append(" (").append(fallbackReason).append(')');
        }
        sb.append(String.format(Locale.ROOT, " time=%.3fms", nanos / 1e6));
        if (detail != null && !detail.isEmpty()) {
            sb.append(" [").append(detail).append(']');
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SolveReport r && requested == r.requested && used == r.used
                && backend.equals(r.backend) && iterations == r.iterations && converged == r.converged
                && fallbackFromStep == r.fallbackFromStep && Arrays.equals(residuals, r.residuals);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(residuals) + iterations;
    }
}
