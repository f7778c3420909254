package org.pararnn.lm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.io.Json;

/**
 * The acceptance run, {@code ./pararnn reproduce table6 --cells paragru --tasks 1-hop --seeds 1
 * --budget-minutes 5}, on the real 10k/100k sets: its JSON has the promised shape, the run kept to its budget, and
 * 1-hop is learned (the paper's 100 %, to within 1 %).
 */
class ReproduceCommandTest {
    /**
     * The command twice in a row (each into its own directory): ≥ 99 % both times. It was 49.19 % once, when a
     * pessimistic timing planned 262 steps and the seed stopped there with most of its budget unused.
     */
    @Test
    void oneHopWithParaGruKeepsItsBudgetAndWritesTheTable(@TempDir Path dir) throws Exception {
        check(dir.resolve("first"));
        check(dir.resolve("second"));
    }

    private static void check(Path dir) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        long t0 = System.nanoTime();
        int rc = new Main().run(List.of("reproduce", "table6", "--cells", "paragru", "--tasks", "1-hop", "--seeds", "1",
                "--budget-minutes", "5", "--out", dir.toString()), out, out);
        double wall = (System.nanoTime() - t0) / 1e9;
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, log);
        assertTrue(log.contains("1-hop × paragru: test accuracy"), log);

        Object parsed = Json.parse(Files.readString(dir.resolve("table6.json")));
        assertTrue(parsed instanceof List<?> l && l.size() == 1, "one record: " + parsed);
        Map<?, ?> r = (Map<?, ?>) ((List<?>) parsed).get(0);
        for (String key : List.of("task", "cell", "accuracy", "paper_accuracy", "seeds", "steps", "seconds", "deviations")) {
            assertTrue(r.containsKey(key), "missing " + key + " in " + r);
        }
        assertEquals("1-hop", r.get("task"));
        assertEquals("paragru", r.get("cell"));
        assertEquals(100.0, ((Number) r.get("paper_accuracy")).doubleValue());
        assertEquals(1, ((Number) r.get("seeds")).intValue());
        assertTrue(((Number) r.get("steps")).intValue() > 0, "steps: " + r.get("steps"));
        assertTrue(r.get("deviations") instanceof List<?> d && !d.isEmpty(), "deviations: " + r.get("deviations"));
        double seconds = ((Number) r.get("seconds")).doubleValue();
        assertTrue(seconds > 0 && seconds <= 300, "the (task, cell) took " + seconds + " s of its 300 s budget");
        // The whole command: the budget, plus making the sets and starting the backend.
        assertTrue(wall <= 300 + 30, "the command took " + wall + " s");
        double accuracy = ((Number) r.get("accuracy")).doubleValue();
        assertTrue(accuracy >= 99.0, "1-hop test accuracy " + accuracy + " %\n" + log);
        String md = Files.readString(dir.resolve("table6.md"));
        assertTrue(md.contains("| 1-hop, \\|V\\| = 10 | paragru |") && md.contains("Deviations"), md);
        // k-hop records break the test accuracy down by how far back the answer lies; every target is in one range.
        long targets = 0;
        for (Object o : (List<?>) r.get("accuracy_by_distance")) {
            targets += ((Number) ((Map<?, ?>) o).get("targets")).longValue();
        }
        assertTrue(targets > 9_000 * 90, "1-hop targets counted by distance: " + targets);
        assertTrue(md.contains("answer lies: 0-5: "), md);
    }

    @Test
    void relabellingAndTheRecipeOverridesAreCheckedBeforeAnythingRuns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(2, new Main().run(List.of("reproduce", "table6", "--relabel", "yes"), out, out));
        assertEquals(2, new Main().run(List.of("reproduce", "table6", "--tasks", "parity", "--relabel", "on"), out, out));
        assertEquals(2, new Main().run(List.of("reproduce", "table6", "--tasks", "mqar", "--lr", "0"), out, out));
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("--relabel takes on or off, got 'yes'") && log.contains("parity has no symbol renaming")
                && log.contains("--lr must be positive"), log);
        assertTrue(!log.contains("reproducing Table 6"), "refused before anything ran: " + log);
    }

    @Test
    void refusesWhatIsNotInTheTable() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        assertEquals(2, new Main().run(List.of("reproduce", "table5"), out, out));
        assertEquals(2, new Main().run(List.of("reproduce", "table6", "--tasks", "3-hop"), out, out));
        assertEquals(2, new Main().run(List.of("reproduce", "table6", "--cells", "mingru"), out, out));
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("say what to reproduce") && log.contains("unknown table6 task '3-hop'")
                && log.contains("paragru and paralstm, not mingru"), log);
    }
}
