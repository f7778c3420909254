package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MainTest {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        return new Main().run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void backendsListsTheBuiltInReferenceBackend() {
        assertEquals(0, run("backends"));
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith("BACKEND"), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("reference") && l.contains("yes")), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("selected: ")), text);
    }

    /** Every cell --cell takes, a provider's included, is listed with its structure and passes its finite-difference check. */
    @Test
    void cellsListsAndChecksEveryCell() {
        assertEquals(0, run("cells"));
        String text = out.toString(StandardCharsets.UTF_8);
        for (String cell : List.of("paragru", "paralstm", "mingru", "minlstm", "tanhrnn", "gru", "rotation", "leaky")) {
            assertTrue(text.lines().anyMatch(l -> l.startsWith(cell + " ") && l.contains(" ok (")), cell + " in:\n" + text);
        }
        assertTrue(text.contains("lang.rotation") && text.contains("block-diagonal(2)") && text.contains("dense"), text);
        assertEquals(1, run("cells", "nope"));
    }

    @Test
    void helpEverywhere() {
        assertEquals(0, run("--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("backends"));
        out.reset();
        assertEquals(0, run("backends", "--help"));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: ./pararnn backends"));
    }

    @Test
    void unknownCommandIsAnErrorNamingIt() {
        assertEquals(2, run("frobnicate"));
        assertTrue(err.toString(StandardCharsets.UTF_8).startsWith("unknown command 'frobnicate'"));
    }
}
