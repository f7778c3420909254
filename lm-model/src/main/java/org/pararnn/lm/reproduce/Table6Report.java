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
 * both rewritten atomically after every cell so that a run stopped part-way keeps what it measured.
 */
public final class Table6Report {
    private final Path dir;
    private final String machine;
    private final List<Table6Run.Result> results = new ArrayList<>();

    public Table6Report(Path dir, String machine) {
        this.dir = dir;
        this.machine = machine;
    }

    public void add(Table6Run.Result r) throws IOException {
        results.add(r);
        write(dir.resolve("table6.json"), Json.write(json()) + "\n");
        write(dir.resolve("table6.md"), markdown());
    }

    public List<Table6Run.Result> results() {
        return results;
    }

    List<Map<String, Object>> json() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Table6Run.Result r : results) {
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
            m.put("machine", machine);
            list.add(m);
        }
        return list;
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
        if (recipe.retention() > 0) {
            d.add(String.format(Locale.ROOT, "state-keeping gate bias spread at init (--retention %.0f)", recipe.retention()));
        }
        if (recipe.prefixCurriculum()) {
            d.add(String.format(Locale.ROOT, "length curriculum: each training sequence is trained on the target of a"
                    + " random-length prefix (ℓ uniform in %d..100, one target per sequence, at step ℓ); tested on"
                    + " whole sequences as the paper", t.task().shortestPrefix()));
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
        sb.append("Machine: ").append(machine).append(". Accuracy: token accuracy on the 100k-sequence test set (every")
                .append(" predicted position), the kept seed's.\n\n");
        sb.append("| task (paper's definition) | cell | ours | paper | exact match | params (paper) | seeds | steps | epochs | time |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Table6Run.Result r : results) {
            sb.append(String.format(Locale.ROOT, "| %s | %s | %.2f %% | %.0f %% | %.2f %% | %,d (%.1fk) | %d | %,d | %.1f | %s |%n",
                    r.task().paperDefinition(), r.cell(), r.accuracy(), r.task().paperAccuracy(), r.exactMatch(),
                    r.parameters(), r.task().paperParameters(r.cell()) / 1000.0, r.seeds().size(), r.steps(), r.epochs(),
                    Progress.duration(r.seconds())));
        }
        sb.append("\n## Deviations from the paper's recipe\n\n");
        for (Table6Run.Result r : results) {
            sb.append("- **").append(r.task().id()).append(", ").append(r.cell()).append("**: ")
                    .append(String.join("; ", deviations(r))).append(".\n");
        }
        return sb.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
