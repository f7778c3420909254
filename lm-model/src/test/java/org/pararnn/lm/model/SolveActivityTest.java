package org.pararnn.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pararnn.api.Mode;
import org.pararnn.api.SolveReport;

class SolveActivityTest {
    static SolveReport report(Mode used, int iterations) {
        return new SolveReport(used, used, "cpu", "", iterations, new double[iterations], true, -1, null, 0);
    }

    @Test
    void saysWhatRan() {
        SolveActivity seq = SolveActivity.of(report(Mode.FUSED, 0)).plus(SolveActivity.of(report(Mode.SEQUENTIAL, 0)));
        assertEquals("seq", seq.describe());
        SolveActivity newton = SolveActivity.of(report(Mode.PARALLEL, 3)).plus(SolveActivity.of(report(Mode.FUSED, 4)));
        assertEquals("newton 3.5 it", newton.describe());
        assertEquals("newton 3.5 it (2 of 4 seq)", newton.plus(seq).describe());
        assertEquals(3.5, newton.plus(seq).meanNewtonIterations());
    }
}
