package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line of {@code ./pararnn conformance}, which the launcher runs from this module's jar. */
class ConformanceMainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return ConformanceMain.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpAndBadOptions() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: ./pararnn conformance"));
        assertEquals(2, run("--fast"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option '--fast'"), err.toString(StandardCharsets.UTF_8));
        err.reset();
        assertEquals(2, run("--backend"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--backend needs a value"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownBackendFailsWithItsName() {
        assertEquals(1, run("--backend", "nosuch"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("no backend named 'nosuch'"), out.toString(StandardCharsets.UTF_8));
    }
}
