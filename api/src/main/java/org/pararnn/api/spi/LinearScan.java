package org.pararnn.api.spi;

import org.pararnn.api.JacobianStructure;

/**
 * Solves linear recurrences {@code h_t = A_t h_{t−1} + b_t} (forward) and their transposed reverse
 * (the adjoint), see {@link ScanProblem} for the exact semantics. Implementations must be thread-safe:
 * several threads may solve different problems at once.
 */
public interface LinearScan {

    /** Whether this scan handles {@code structure} (for block-diagonal, for that {@code k}). */
    boolean supports(JacobianStructure structure);

    void forward(ScanProblem problem);

    void reverse(ScanProblem problem);

    /** Throws an {@link UnsupportedOperationException} naming the structure when it is not supported. */
    default void requireSupport(JacobianStructure structure, String scanName) {
        if (!supports(structure)) {
            throw new UnsupportedOperationException("scan '" + scanName + "' does not support the "
                    + structure.describe() + " Jacobian structure");
        }
    }
}
