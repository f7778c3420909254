package org.pararnn.lm.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.io.Json;

class Table6ReportTest {
    private static Table6Run.Result result(Table6Task t, String cell, double accuracy) {
        long parameters = org.pararnn.lm.model.Footprint.parameterCount(t.model(cell, 1));
        return new Table6Run.Result(t, cell, accuracy, accuracy - 1, parameters, 700, 1.1, 20, 300,
                List.of(new Table6Run.Seed(1, accuracy, 700, 900, 15, true, false)), 1, t.recipe(), 0.999,
                t == Table6Task.TWO_HOP ? List.of(new DistanceBreakdown.Range(0, 5, 300, 299),
                        new DistanceBreakdown.Range(6, 10, 100, 50)) : List.of());
    }

    private static List<?> records(Path dir) throws Exception {
        return (List<?>) Json.parse(Files.readString(dir.resolve("table6.json")));
    }

    /** Runs into one directory build one table: records kept in the paper's order, one measured again replaced. */
    @Test
    void laterRunsAddToTheTableAndReplaceWhatTheyMeasureAgain(@TempDir Path dir) throws Exception {
        Table6Report first = new Table6Report(dir, "machine A");
        first.add(result(Table6Task.TWO_HOP, "paragru", 80));
        first.add(result(Table6Task.ONE_HOP, "paralstm", 99));
        Table6Report second = new Table6Report(dir, "machine B");
        assertEquals(2, second.size());
        second.add(result(Table6Task.TWO_HOP, "paragru", 97.5));
        second.add(result(Table6Task.KEEP_NTH, "paragru", 100));
        List<?> recs = records(dir);
        assertEquals(3, recs.size());
        assertEquals(List.of("keep-nth/paragru", "1-hop/paralstm", "2-hop/paragru"), recs.stream()
                .map(o -> ((Map<?, ?>) o).get("task") + "/" + ((Map<?, ?>) o).get("cell")).toList());
        Map<?, ?> twoHop = (Map<?, ?>) recs.get(2);
        assertEquals(97.5, ((Number) twoHop.get("accuracy")).doubleValue());
        assertEquals("machine B", twoHop.get("machine"));
        assertEquals("machine A", ((Map<?, ?>) recs.get(1)).get("machine"));
        String md = Files.readString(dir.resolve("table6.md"));
        assertTrue(md.contains("| 2-hop, \\|V\\| = 5 | paragru | 97.50 % | 100 % |"), md);
        assertTrue(md.contains("Measured on machine A") && md.contains("Measured on machine B"), md);
        assertTrue(md.contains("answer lies: 0-5: 99.67 % (75 % of targets), 6-10: 50.00 % (25 % of targets)"), md);
        assertEquals(2, ((List<?>) twoHop.get("accuracy_by_distance")).size());
        assertEquals(null, ((Map<?, ?>) recs.get(1)).get("accuracy_by_distance"), "1-hop's record here has none");
    }

    @Test
    void refusesADirectoryWhoseJsonIsNotATable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("table6.json"), "{\"task\": 1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Table6Report(dir, "m"));
        assertTrue(e.getMessage().contains("not a table6.json"), e.getMessage());
    }

    @Test
    void deviationsNameWhatDiffersFromThePaper() {
        List<String> d = Table6Report.deviations(result(Table6Task.PARITY, "paragru", 100));
        String all = String.join("\n", d);
        assertTrue(all.contains("length curriculum") && all.contains("peak lr 3e-03") && all.contains("3,714 parameters"), all);
        String mqar = String.join("\n", Table6Report.deviations(result(Table6Task.MQAR, "paragru", 90)));
        assertTrue(mqar.contains("κ read as") && mqar.contains("keys among keys, values among values"), mqar);
        assertTrue(!all.contains("renamed") && !all.contains("weight decay"), all);
        Table6Run.Result r = result(Table6Task.TWO_HOP, "paralstm", 85);
        Table6Task.Recipe tuned = r.recipe().with(1e-2, 32, 0.1, 4f, true);
        String changed = String.join("\n", Table6Report.deviations(new Table6Run.Result(r.task(), r.cell(), r.accuracy(),
                r.exactMatch(), r.parameters(), r.steps(), r.epochs(), r.seconds(), r.budgetSeconds(), r.seeds(), r.keptSeed(),
                tuned, r.target(), r.byDistance())));
        assertTrue(changed.contains("peak lr 1e-02") && changed.contains("batch 32") && changed.contains("weight decay 1e-01")
                && changed.contains("--retention 4") && changed.contains("any permutation of the symbols"), changed);
    }
}
