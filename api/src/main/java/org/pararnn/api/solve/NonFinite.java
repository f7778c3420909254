package org.pararnn.api.solve;

import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;

/** The one place that turns non-finite states into a clear failure instead of returned garbage. */
final class NonFinite {
    private NonFinite() {
    }

    static void check(float[] states, int steps, int width, SolveReport report, String what) {
        for (int i = 0; i < states.length; i++) {
            if (!Float.isFinite(states[i])) {
                int b = i / width / steps;
                int t = (i / width) % steps;
                throw new SolveFailedException(what + " produced " + states[i] + " at [b=" + b + ", t=" + t
                        + ", i=" + (i % width) + "]; the cell itself overflows for these parameters and inputs", report);
            }
        }
    }
}
