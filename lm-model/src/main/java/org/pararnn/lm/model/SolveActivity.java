package org.pararnn.lm.model;

import java.util.Locale;
import org.pararnn.api.SolveReport;

/**
 * What the cell solves of one or more forward passes did: how many there were, how many of them ran
 * Newton's method (the rest walked the sequence step by step) and the Newton iterations those took.
 */
public record SolveActivity(int solves, int newtonSolves, long newtonIterations) {
    public static final SolveActivity NONE = new SolveActivity(0, 0, 0);

    /** One solve as its report tells it: Newton when it performed linear solves, sequential otherwise. */
    public static SolveActivity of(SolveReport report) {
        return report.iterations() > 0 ? new SolveActivity(1, 1, report.iterations()) : new SolveActivity(1, 0, 0);
    }

    public SolveActivity plus(SolveActivity o) {
        return new SolveActivity(solves + o.solves, newtonSolves + o.newtonSolves, newtonIterations + o.newtonIterations);
    }

    /** Mean iterations of the solves that ran Newton (0 when none did). */
    public double meanNewtonIterations() {
        return newtonSolves == 0 ? 0 : (double) newtonIterations / newtonSolves;
    }

    /** For a progress line: {@code seq}, {@code newton 3.2 it}, or both with the sequential share. */
    public String describe() {
        if (solves == 0) {
            return "no solves";
        }
        if (newtonSolves == 0) {
            return "seq";
        }
        String newton = String.format(Locale.ROOT, "newton %.1f it", meanNewtonIterations());
        return newtonSolves == solves ? newton : newton + String.format(Locale.ROOT, " (%d of %d seq)", solves - newtonSolves, solves);
    }
}
