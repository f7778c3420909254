package org.pararnn.lm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pararnn.api.Mode;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.app.SolverSettings;
import org.pararnn.lm.model.CellKinds;
import org.pararnn.lm.reproduce.Table6Report;
import org.pararnn.lm.reproduce.Table6Run;
import org.pararnn.lm.reproduce.Table6Task;
import org.pararnn.lm.tasks.TaskDataset;
import org.pararnn.lm.train.Progress;
import org.pararnn.lm.train.RunDirectory;

/** {@code ./pararnn reproduce table6}: the paper's synthetic-task table on this machine, within a time budget. */
final class ReproduceCommand implements Command {
    /** Whether standard output is a terminal to redraw progress on ({@link Startup}). */
    private final boolean terminal;

    ReproduceCommand(boolean terminal) {
        this.terminal = terminal;
    }

    @Override
    public String name() {
        return "reproduce";
    }

    @Override
    public String summary() {
        return "reproduce the paper's Table 6 (five synthetic tasks, one layer) within a time budget";
    }

    /** The options of {@code reproduce table6}, declared once. */
    static final CliSpec SPEC = CliSpec.command("reproduce table6", "./pararnn reproduce table6 [OPTIONS]", """
            Trains each (task, cell) of the ParaRNN paper's Table 6 on the paper's task definitions and
            models (L = 100, width 64, 4 heads; the cell alone for keep-nth and parity, one full block for
            mqar and k-hop): a fixed training set, a disjoint test set, the best of the seeds by a disjoint
            validation set. Writes table6.md (ours beside the paper's, time, steps, every deviation from the
            paper's recipe) and table6.json to the output directory, after every (task, cell). An output
            directory that already has a table6.json is added to (a (task, cell) run again is replaced), so a
            table can be built by several runs.""")
            .option("cells", "LIST", "paragru,paralstm (default both)")
            .option("tasks", "LIST", String.join(",", Table6Task.ids()) + " (default all)")
            .option("seeds", "N", "seeds per (task, cell), best kept (default 3, as the paper)")
            .option("budget-minutes", "M", "wall-clock budget per (task, cell), all seeds and the test included (default 30)")
            .option("target", "A", "validation token accuracy that ends a seed and the search (default 0.999)")
            .option("train", "N", "training sequences (default 10000, as the paper)")
            .option("test", "N", "test sequences (default 100000, as the paper)")
            .option("data-seed", "S", "seed of the three sets (default 2025)")
            .section("Each task's recipe, overridden (reported among the deviations):")
            .option("lr", "LR", "peak learning rate")
            .option("batch", "B", "sequences per step")
            .option("weight-decay", "WD", "AdamW's decoupled weight decay")
            .option("retention", "R", "the state-keeping gate's spread of memory lengths at init")
            .option("relabel", "on|off", """
                    rename each training sequence's symbols afresh whenever it is read (a symmetry of the
                    task; not parity)""")
            .section("Solver and output:")
            .backendOption()
            .modeOption()
            .option("out", "DIR", "output directory (default runs/table6-<time>)");

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.isEmpty() || !args.get(0).equals("table6")) {
            throw new UsageException("reproduce: say what to reproduce: ./pararnn reproduce table6 [OPTIONS]"
                    + (args.isEmpty() ? "" : " (got '" + args.get(0) + "')"));
        }
        Options o = new Options(SPEC, args.subList(1, args.size()));
        List<String> cells = new ArrayList<>();
        for (String c : o.get("cells", "paragru,paralstm").split(",")) {
            String cell = c.trim();
            o.parse("cells", cell, name -> {
                CellKinds.require(name);
                return name;
            });
            if (!cell.equals("paragru") && !cell.equals("paralstm")) {
                throw new UsageException("reproduce table6: the table has paragru and paralstm, not " + cell);
            }
            cells.add(cell);
        }
        List<Table6Task> tasks = new ArrayList<>();
        for (String t : o.get("tasks", String.join(",", Table6Task.ids())).split(",")) {
            tasks.add(o.parse("tasks", t, Table6Task::parse));
        }
        int seeds = o.getInt("seeds", 3);
        double minutes = o.getDouble("budget-minutes", 30);
        double target = o.getDouble("target", 0.999);
        int trainCount = o.getInt("train", 10_000);
        int testCount = o.getInt("test", 100_000);
        long dataSeed = o.getInt("data-seed", 2025);
        if (seeds < 1) {
            throw new UsageException("reproduce table6: --seeds must be at least 1, got " + seeds);
        }
        if (!(minutes > 0) || Double.isInfinite(minutes)) {
            throw new UsageException("reproduce table6: --budget-minutes must be a positive number, got " + minutes);
        }
        if (!(target > 0 && target <= 1)) {
            throw new UsageException("reproduce table6: --target must be in (0, 1], got " + target);
        }
        // Each task's recipe with what the options override, checked before anything is built.
        Map<Table6Task, Table6Task.Recipe> recipes = new LinkedHashMap<>();
        for (Table6Task task : tasks) {
            Table6Task.Recipe base = task.recipe();
            Table6Task.Recipe recipe = base.with(o.getDouble("lr", base.lr()), o.getInt("batch", base.batch()),
                    o.getDouble("weight-decay", base.weightDecay()), (float) o.getDouble("retention", base.retention()),
                    onOff(o, "relabel", base.relabel()));
            if (!(recipe.lr() > 0) || recipe.batch() < 1 || !(recipe.weightDecay() >= 0) || !(recipe.retention() >= 0)) {
                throw new UsageException("reproduce table6: --lr must be positive, --batch at least 1, --weight-decay"
                        + " and --retention at least 0; got " + recipe.lr() + ", " + recipe.batch() + ", "
                        + recipe.weightDecay() + ", " + recipe.retention());
            }
            if (recipe.relabel() && !task.task().relabels()) {
                throw new UsageException("reproduce table6: --relabel on: " + task.id()
                        + " has no symbol renaming that keeps its answers");
            }
            recipes.put(task, recipe);
        }
        Mode mode = o.parse("mode", "AUTO", Mode::parse);
        Path dir = Path.of(o.get("out", "runs/table6-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        // Several runs may add to one table, one after another: each holds the directory while it writes.
        try (RunDirectory held = RunDirectory.claim(dir, RunDirectory.Claim.CONTINUE, "./pararnn reproduce table6");
             Session session = Session.open(SolverSettings.of(o.get("backend"), mode))) {
            held.takenOver().ifPresent(out::println);
            var solver = session.solver();
            String machine = String.format(Locale.ROOT, "%s, %d cores, backend %s (%s), %s", LocalDate.now(),
                    Runtime.getRuntime().availableProcessors(), solver.backend().name(), solver.backend().device(),
                    System.getProperty("os.arch"));
            Table6Report report = new Table6Report(dir, machine);
            if (report.size() > 0) {
                out.printf(Locale.ROOT, "adding to the %d (task, cell) record(s) already in %s (measured again: replaced)%n",
                        report.size(), dir.resolve("table6.json"));
            }
            out.printf(Locale.ROOT, "reproducing Table 6: %d task(s) × %d cell(s), up to %d seed(s), %s each; %s%n", tasks.size(),
                    cells.size(), seeds, Progress.duration(minutes * 60), machine);
            out.println("output: " + dir.toAbsolutePath());
            Map<Table6Task, TaskDataset> sets = new LinkedHashMap<>();
            for (Table6Task task : tasks) {
                long t0 = System.nanoTime();
                TaskDataset data = sets.computeIfAbsent(task, t -> TaskDataset.generate(t.task(), trainCount,
                        Table6Run.VALIDATION, testCount, dataSeed, t.recipe().prefixCurriculum()));
                out.printf(Locale.ROOT, "%s (%s): %,d training, %,d validation, %,d test sequences, disjoint (%s)%n",
                        task.id(), data.task().explain(), trainCount, Table6Run.VALIDATION, testCount,
                        Progress.duration((System.nanoTime() - t0) / 1e9));
                for (String cell : cells) {
                    out.printf(Locale.ROOT, "%s × %s%n", task.id(), cell);
                    Table6Task.Recipe recipe = recipes.get(task);
                    TaskDataset training = recipe.relabel() ? data.relabelling() : data;
                    Table6Run.Result r = new Table6Run(task, cell, training, session, dir, out, terminal)
                            .run(seeds, minutes * 60, target, recipe);
                    report.add(r);
                    out.printf(Locale.ROOT, "%s × %s: test accuracy %.2f %% (paper %.0f %%), exact match %.2f %%, seed %d of %d tried,"
                                    + " %,d steps, %s%n", task.id(), cell, r.accuracy(), task.paperAccuracy(), r.exactMatch(),
                            r.keptSeed(), r.seeds().size(), r.steps(), Progress.duration(r.seconds()));
                }
            }
            out.println("table:  " + dir.resolve("table6.md").toAbsolutePath());
            out.println("json:   " + dir.resolve("table6.json").toAbsolutePath());
        }
        return 0;
    }

    private static boolean onOff(Options o, String name, boolean fallback) {
        String v = o.get(name);
        if (v == null) {
            return fallback;
        }
        return switch (v) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new UsageException("reproduce table6: --" + name + " takes on or off, got '" + v + "'");
        };
    }
}
