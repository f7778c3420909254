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

    /**
     * The iteration table: every method on every cell; the easy cells converge every way, and on the gain-3 tanh RNN
     * plain Newton gives up (its residual keeps growing) where ELK, whose steps the trust region bounds, converges.
     */
    @Test
    void newtonTablesEveryMethodOnEveryCell() {
        assertEquals(0, run("newton", "--steps", "96", "--batch", "2", "--width", "4"));
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.get(1).matches("CELL +STRUCTURE +DEER +quasi-DEER +ELK +quasi-ELK"), lines.get(1));
        assertEquals(2 + 7, lines.size(), String.join("\n", lines));
        for (String line : lines.subList(2, lines.size())) {
            String[] entries = line.substring(35).trim().split("\\) +");
            assertEquals(4, entries.length, line);
            boolean easy = !line.startsWith("hard.");
            for (String e : entries) {
                assertTrue(!easy || e.matches("\\d+ \\(\\d+ ms\\)?"), "an easy cell converges every way: " + line);
            }
            if (line.startsWith("hard.tanh-gain3")) {
                assertTrue(entries[0].startsWith("diverged@"), line);
                assertTrue(entries[2].matches("\\d+ \\(\\d+ ms\\)?"), "ELK converges: " + line);
            }
        }
        assertEquals(1, run("newton", "--width", "3"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("an even --width"), err.toString(StandardCharsets.UTF_8));
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
