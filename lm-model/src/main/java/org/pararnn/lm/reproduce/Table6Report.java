package org.pararnn.lm.reproduce;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pararnn.api.io.Json;
import org.pararnn.lm.train.Progress;

/**
 * {@code table6.json} (one record per task and cell: {@code task, cell, accuracy, paper_accuracy, seeds, steps,
 * seconds, deviations} and the details behind them; accuracies in %) and {@code table6.md} (ours beside the paper's),
 * both rewritten atomically after every cell so that a run stopped part-way keeps what it measured. A directory that
 * already holds a {@code table6.json} is added to: its records stay, in the table's order, and a (task, cell) measured
 * again replaces its record, so one table can be built by several runs (with their own budgets, on other days).
 */
public final class Table6Report {
    private final Path dir;
    private final String machine;
    /** Records by "task/cell", as written to the JSON. */
    private final Map<String, Map<String, Object>> records = new LinkedHashMap<>();

    public Table6Report(Path dir, String machine) throws IOException {
        this.dir = dir;
        this.machine = machine;
        Path json = dir.resolve("table6.json");
        if (Files.exists(json)) {
            Object parsed = Json.parse(Files.readString(json, StandardCharsets.UTF_8));
            if (!(parsed instanceof List<?> list)) {
                throw new IllegalArgumentException(json + " is not a table6.json (a list of records); use another --out");
            }
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m) || !(m.get("task") instanceof String t) || !(m.get("cell") instanceof String c)) {
                    throw new IllegalArgumentException(json + " holds a record without task and cell: " + o + "; use another --out");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> rec = (Map<String, Object>) m;
                records.put(t + "/" + c, rec);
            }
        }
    }

    /** How many records the table held before this run. */
    public int size() {
        return records.size();
    }

    public void add(Table6Run.Result r) throws IOException {
        records.put(r.task().id() + "/" + r.cell(), record(r));
        write(dir.resolve("table6.json"), Json.write(ordered()) + "\n");
        write(dir.resolve("table6.md"), markdown());
    }

    /** The records in the paper's order: task by task, ParaGRU before ParaLSTM. */
    List<Map<String, Object>> ordered() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Table6Task t : Table6Task.values()) {
            for (String cell : new String[] {"paragru", "paralstm"}) {
                Map<String, Object> m = records.get(t.id() + "/" + cell);
                if (m != null) {
                    list.add(m);
                }
            }
        }
        return list;
    }

    private Map<String, Object> record(Table6Run.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("task", r.task().id());
        m.put("cell", r.cell());
        m.put("accuracy", r.accuracy());
        m.put("paper_accuracy", r.task().paperAccuracy());
        m.put("seeds", r.seeds().size());
        m.put("steps", r.steps());
        m.put("seconds", r.seconds());
        m.put("deviations", deviations(r));
        m.put("definition", r.task().paperDefinition());
        m.put("exact_match", r.exactMatch());
        m.put("kept_seed", r.keptSeed());
        m.put("epochs", r.epochs());
        m.put("budget_seconds", r.budgetSeconds());
        m.put("parameters", r.parameters());
        m.put("paper_parameters", r.task().paperParameters(r.cell()));
        List<Map<String, Object>> seeds = new ArrayList<>();
        for (Table6Run.Seed s : r.seeds()) {
            Map<String, Object> sm = new LinkedHashMap<>();
            sm.put("seed", s.seed());
            sm.put("validation_accuracy", s.validationAccuracy());
            sm.put("steps", s.steps());
            sm.put("planned_steps", s.plannedSteps());
            sm.put("seconds", s.seconds());
            sm.put("reached_target", s.reachedTarget());
            sm.put("ran_out_of_time", s.ranOutOfTime());
            seeds.add(sm);
        }
        m.put("seed_runs", seeds);
        if (!r.byDistance().isEmpty()) {
            List<Map<String, Object>> ranges = new ArrayList<>();
            for (DistanceBreakdown.Range g : r.byDistance()) {
                Map<String, Object> gm = new LinkedHashMap<>();
                gm.put("distance", g.label());
                gm.put("targets", g.targets());
                gm.put("accuracy", g.accuracy());
                ranges.add(gm);
            }
            m.put("accuracy_by_distance", ranges);
        }
        m.put("machine", machine);
        return m;
    }

    /** Every way this cell's run differs from the paper's recipe, in words. */
    static List<String> deviations(Table6Run.Result r) {
        Table6Task t = r.task();
        Table6Task.Recipe recipe = r.recipe();
        List<String> d = new ArrayList<>();
        d.add(String.format(Locale.ROOT, "trained %.1f epochs of the 10k set within a %s budget for all seeds (paper: up to 3,000"
                + " epochs on an A100)", r.epochs(), Progress.duration(r.budgetSeconds())));
        if (recipe.lr() != Table6Task.PAPER_LR) {
            d.add(String.format(Locale.ROOT, "peak lr %.0e, cosine to a tenth, 100 warmup steps (paper: 5e-4 cosine)", recipe.lr()));
        }
        if (recipe.batch() != Table6Task.PAPER_BATCH) {
            d.add("batch " + recipe.batch() + " (paper: 16)");
        }
        if (recipe.weightDecay() != Table6Task.WEIGHT_DECAY) {
            d.add(String.format(Locale.ROOT, "weight decay %.0e (paper: 1e-6)", recipe.weightDecay()));
        }
        if (recipe.retention() > 0) {
            d.add(String.format(Locale.ROOT, "state-keeping gate bias spread at init (--retention %.0f)", recipe.retention()));
        }
        if (recipe.prefixCurriculum()) {
            d.add(String.format(Locale.ROOT, "length curriculum: each training sequence is trained on the target of a"
                    + " random-length prefix (ℓ uniform in %d..100, one target per sequence, at step ℓ); tested on"
                    + " whole sequences as the paper", t.task().shortestPrefix()));
        }
        if (recipe.relabel()) {
            d.add("each training sequence's symbols renamed afresh whenever it is read (" + t.task().renaming()
                    + "): a symmetry of the"
                    + " task that keeps the 10k sequences' structure (positions, repeats) but not which symbols fill it");
        }
        d.add("gradient norm clipped to 1");
        d.add(String.format(Locale.ROOT, "a disjoint validation set of %,d sequences stops a seed at %.1f %% token accuracy"
                + " and picks the kept seed; seeds after one that reaches it are not run", Table6Run.VALIDATION, 100 * r.target()));
        long ours = r.parameters();
        int paper = t.paperParameters(r.cell());
        if (Math.abs(ours - paper) > 50) {
            d.add(String.format(Locale.ROOT, "%,d parameters (paper: %.1fk, %+.1f %%)", ours, paper / 1000.0,
                    100.0 * (ours - paper) / paper));
        }
        if (t == Table6Task.MQAR) {
            d.add("κ read as the number of key-value pairs (the table does not define it)");
        }
        return d;
    }

    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("# ParaRNN Table 6, reproduced\n\n");
        sb.append("Accuracy: token accuracy on the 100k-sequence test set (every predicted position), the kept seed's;")
                .append(" budget: wall-clock for all seeds and the test.\n\n");
        sb.append("| task (paper's definition) | cell | ours | paper | exact match | params (paper) | seeds | steps | epochs | time (budget) |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        List<Map<String, Object>> rows = ordered();
        for (Map<String, Object> m : rows) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f %% | %.0f %% | %.2f %% | %,d (%.1fk) | %d | %,d | %.1f | %s (%s) |%n",
                    cell(m.get("definition")), m.get("cell"), num(m, "accuracy"), num(m, "paper_accuracy"), num(m, "exact_match"),
                    (long) num(m, "parameters"), num(m, "paper_parameters") / 1000.0, (int) num(m, "seeds"),
                    (long) num(m, "steps"), num(m, "epochs"), Progress.duration(num(m, "seconds")),
                    Progress.duration(num(m, "budget_seconds"))));
        }
        sb.append("\n## Deviations from the paper's recipe, and where each row was measured\n\n");
        for (Map<String, Object> m : rows) {
            Object d = m.get("deviations");
            sb.append("- **").append(m.get("task")).append(", ").append(m.get("cell")).append("**: ")
                    .append(d instanceof List<?> l ? String.join("; ", l.stream().map(String::valueOf).toList()) : "")
                    .append(". ").append(byDistance(m)).append("Measured on ").append(m.get("machine")).append(".\n");
        }
        return sb.toString();
    }

    /** A k-hop record's test accuracy by how far back the answer lies, as a sentence (empty for other tasks). */
    @SuppressWarnings("unchecked")
    private static String byDistance(Map<String, Object> m) {
        if (!(m.get("accuracy_by_distance") instanceof List<?> ranges) || ranges.isEmpty()) {
            return "";
        }
        double all = 0;
        for (Object o : ranges) {
            all += num((Map<String, Object>) o, "targets");
        }
        List<String> parts = new ArrayList<>();
        for (Object o : ranges) {
            Map<String, Object> g = (Map<String, Object>) o;
            parts.add(String.format(Locale.ROOT, "%s: %.2f %% (%.0f %% of targets)", g.get("distance"), num(g, "accuracy"),
                    100 * num(g, "targets") / all));
        }
        return "Test accuracy by how many steps back the answer lies: " + String.join(", ", parts) + ". ";
    }

    /** Text for a Markdown table cell: a literal {@code |} (as in {@code |V|}) would end the cell. */
    private static String cell(Object text) {
        return String.valueOf(text).replace("|", "\\|");
    }

    private static double num(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
