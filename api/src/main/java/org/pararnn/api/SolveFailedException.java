package org.pararnn.api;

/** A solve that could not produce a trustworthy result; the report says what was tried. */
public class SolveFailedException extends RuntimeException {
    private final transient SolveReport report;

    public SolveFailedException(String message, SolveReport report) {
        super(report == null ? message : message + " — " + report);
        this.report = report;
    }

    public SolveReport report() {
        return report;
    }
}
