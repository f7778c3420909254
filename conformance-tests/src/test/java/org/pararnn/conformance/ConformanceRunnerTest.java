package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The runner skips what cannot run (with the reason) and fails a backend that claims to run and is wrong. */
class ConformanceRunnerTest {

    String run(String backend, int expectedExit) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc = ConformanceRunner.run(backend, false, new PrintStream(buf, true, StandardCharsets.UTF_8));
        String text = buf.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, rc, text);
        return text;
    }

    @Test
    void unavailableBackendIsSkippedWithItsProbeReason() {
        String text = run("absent", 0);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("absent") && l.contains("skipped")
                && l.contains("no such device (test provider)")), text);
    }

    @Test
    void availableButWrongBackendFailsTheRun() {
        String text = run("wrong", 1);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("wrong") && l.contains("scans: windowsCarriesAndInPlaceSolves") && l.contains("FAIL")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("wrong") && l.contains("scans: forward") && l.contains("pass")), text);
        assertTrue(text.contains("conformance: FAILED"), text);
    }

    @Test
    void unknownBackendIsAnError() {
        assertTrue(run("nope", 1).contains("no backend named 'nope' on the class path"));
    }
}
