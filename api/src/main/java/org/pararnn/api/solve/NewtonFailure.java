package org.pararnn.api.solve;

import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;

/**
 * What every Newton solve (generic or fused, any backend) does once {@link NewtonStopping} has called it
 * failed, by {@link NewtonOptions.OnFailure}: solve the rest sequentially and say from where, return the
 * iterate marked unconverged, or throw. Written once so that no solver can differ from the others.
 */
public final class NewtonFailure {
    private NewtonFailure() {
    }

    /** Solves sequentially from each sequence's first unconverged step; returns the smallest such step. */
    @FunctionalInterface
    public interface SequentialRest {
        int solve();
    }

    /**
     * {@code failed}: the report of the last iterate, unconverged with its failure reason and no fallback.
     * With {@link NewtonOptions.OnFailure#SEQUENTIAL_FALLBACK} runs {@code rest} and returns the report with
     * the fallback's first step (the caller still checks the result for non-finite values); with
     * {@code REPORT} returns {@code failed}; with {@code THROW} throws {@link SolveFailedException} carrying it.
     */
    public static SolveReport settle(SolveReport failed, NewtonOptions.OnFailure policy, SequentialRest rest, long t0) {
        if (failed.converged() || failed.fallbackReason() == null) {
            throw new IllegalArgumentException("not a failed Newton report: " + failed);
        }
        switch (policy) {
            case SEQUENTIAL_FALLBACK -> {
                int from = rest.solve();
                return new SolveReport(failed.requested(), failed.used(), failed.backend(), failed.detail(),
                        failed.iterations(), failed.residuals(), false, from, failed.fallbackReason(), System.nanoTime() - t0,
                        failed.outcome());
            }
            case THROW -> throw new SolveFailedException("Newton failed: " + failed.fallbackReason(), failed);
            default -> {
                return failed;
            }
        }
    }
}
