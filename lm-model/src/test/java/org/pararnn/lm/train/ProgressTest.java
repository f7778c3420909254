package org.pararnn.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pararnn.lm.model.SolveActivity;

class ProgressTest {
    /** No estimate from the first steps (the JIT's warm-up made the first one say 1h07m for an 11 s run). */
    @Test
    void theTimeLeftWaitsForTheFirstStepsToPass() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 20);
        for (int step = 1; step <= 20; step++) {
            p.step(step, 1.0, 100, SolveActivity.NONE);
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(0).startsWith("step 1/20") && lines.get(0).endsWith("ETA --"), lines.get(0));
        assertTrue(lines.get(1).startsWith("step 2/20") && lines.get(1).endsWith("ETA --"), lines.get(1));
        assertTrue(lines.get(3).startsWith("step 4/20") && lines.get(3).matches(".*ETA \\d+s"), lines.get(3));
        assertEquals(20, lines.size(), "a line per step for a run this short");
    }

    /** Open MPI gives each rank a pseudo-terminal even when mpirun's output goes to a file: no redrawing there. */
    @Test
    void underAnMpiLauncherTheLineIsNeverRedrawn() {
        assertTrue(Progress.stdoutIsTerminal(true, Map.of("HOME", "/root")));
        assertFalse(Progress.stdoutIsTerminal(false, Map.of()));
        for (String v : Progress.MPI_RANK_VARIABLES) {
            assertFalse(Progress.stdoutIsTerminal(true, Map.of(v, "0")), v);
        }
    }
}
