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
        assertEquals(2, run("cells", "nope"));
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
        assertEquals(2, run("newton", "--width", "3"));
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
    void unknownCommandIsAnErrorNamingItWithTheCommandsInOneOrderAndASuggestion() {
        assertEquals(2, run("frobnicate"));
        String first = err.toString(StandardCharsets.UTF_8);
        assertTrue(first.startsWith("error: unknown command 'frobnicate' (commands: train, eval, generate, backends, apply, "
                + "cells, newton, reproduce, conformance, bench, test, build; ./pararnn --help)"), first);
        err.reset();
        assertEquals(2, run("frobnicate"));
        assertEquals(first, err.toString(StandardCharsets.UTF_8), "the same list, in the same order, every time");
        err.reset();
        assertEquals(2, run("trian"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("did you mean 'train'?"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void versionAndHelpNameEveryCommandTheLauncherRuns() {
        assertEquals(0, run("--version"));
        String v = out.toString(StandardCharsets.UTF_8);
        assertTrue(v.matches("ParaRNN-J \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java .*\\)\\R"), v);
        out.reset();
        assertEquals(0, run("--help"));
        String help = out.toString(StandardCharsets.UTF_8);
        for (String c : List.of("train", "eval", "generate", "backends", "apply", "cells", "newton", "reproduce", "conformance",
                "bench", "test", "build")) {
            assertTrue(help.lines().anyMatch(l -> l.startsWith("  " + c + " ")), c + " in:\n" + help);
        }
        assertTrue(help.contains("--version") && help.contains("Exit status"), help);
    }

    /** Every way of writing a command line wrong exits 2 with one line naming the mistake; failures of a run exit 1. */
    @Test
    void everyUsageErrorExitsTwoInOneLine() {
        List<List<String>> wrong = List.of(
                List.of("train", "--stpes", "3"),
                List.of("train", "--steps"),
                List.of("train", "--steps", "many"),
                List.of("train", "--mode", "FOO"),
                List.of("train", "--task", "3-hop"),
                List.of("train", "--cell", "nope"),
                List.of("train", "--arch", "tower"),
                List.of("train", "--task", "keep-nth", "--data", "x.txt"),
                List.of("train", "--context", "8"),
                List.of("train", "--supervise", "all"),
                List.of("train", "--shards", "3"),
                List.of("train", "--vocab", "word", "--data", "x.txt"),
                List.of("train", "--overwrite=yes"),
                List.of("train", "positional"),
                List.of("eval"),
                List.of("eval", "--checkpoint", "a", "--checkpoint", "b"),
                List.of("generate", "--tokens", "x"),
                List.of("apply", "--cell", "lstm9", "--weights", "w", "--input", "i", "--out", "o"),
                List.of("newton", "--bogus"),
                List.of("newton", "--width", "3"),
                List.of("newton", "--cells", "nope"),
                List.of("cells", "nope"),
                List.of("reproduce"),
                List.of("reproduce", "table7"),
                List.of("reproduce", "table6", "--tasks", "3-hop"),
                List.of("reproduce", "table6", "--cells", "gru"),
                List.of("reproduce", "table6", "--seeds", "0"),
                List.of("reproduce", "table6", "--relabel", "maybe"),
                List.of("reproduce", "table6", "--mode", "FAST"));
        for (List<String> args : wrong) {
            err.reset();
            out.reset();
            int code = run(args.toArray(String[]::new));
            String e = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, args + " → " + e);
            assertEquals(1, e.lines().count(), args + " → " + e);
            assertTrue(e.startsWith("error: "), args + " → " + e);
        }
        err.reset();
        assertEquals(1, run("eval", "--checkpoint", "/nonexistent/run"), "a run that fails exits 1");
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("/nonexistent/run"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMistypedOptionIsNamedAsSuchWithASuggestionAndTheAcceptedOnesSorted() {
        assertEquals(2, run("newton", "--bogus"));
        assertEquals("error: newton: unknown option --bogus (accepted: --backend, --batch, --cells, --steps, --width)",
                err.toString(StandardCharsets.UTF_8).strip());
        err.reset();
        assertEquals(2, run("train", "--lenght", "40"));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.startsWith("error: train: unknown option --lenght; did you mean --length? (accepted: --accum, --arch, "), e);
        err.reset();
        assertEquals(2, run("train", "--weight-decy", "0.1"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("did you mean --weight-decay?"), err.toString(StandardCharsets.UTF_8));
    }
}
