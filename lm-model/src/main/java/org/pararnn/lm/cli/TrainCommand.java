package org.pararnn.lm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Set;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.lm.app.RunSpec;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.dist.Collective;
import org.pararnn.lm.dist.Collectives;
import org.pararnn.lm.app.SolverSettings;
import org.pararnn.lm.app.Showcase;
import org.pararnn.lm.app.TrainingModule;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Sources;
import org.pararnn.lm.data.TextCorpus;
import org.pararnn.lm.data.Vocabulary;
import org.pararnn.lm.model.Architecture;
import org.pararnn.lm.model.CellKinds;
import org.pararnn.lm.model.Footprint;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.tasks.SyntheticTask;
import org.pararnn.lm.tasks.TaskKind;
import org.pararnn.lm.train.Checkpoint;
import org.pararnn.lm.train.Progress;
import org.pararnn.lm.train.RunDirectory;
import org.pararnn.lm.train.TrainConfig;
import org.pararnn.lm.train.Shards;
import org.pararnn.lm.train.Trainer;

/** {@code ./pararnn train}: trains on a synthetic task (the default) or on text, then shows the result. */
final class TrainCommand implements Command {
    /** Whether standard output is a terminal to redraw progress on ({@link Startup}). */
    private final boolean terminal;

    TrainCommand(boolean terminal) {
        this.terminal = terminal;
    }

    /** Progress as plain lines. */
    TrainCommand() {
        this(false);
    }
    static final String DEFAULT_TASK = "keep-nth";

    /** The text recipe, whose values the help prints. */
    private static final TrainConfig TEXT = TrainConfig.textDefaults();
    /** The options, declared once: parsed from these, the help written from these. */
    static final CliSpec SPEC = CliSpec.command("train",
            "./pararnn train [--task NAME [--length L] | --data PATH [--vocab char|byte]] [OPTIONS]", """
            Trains a model and shows what it learned. Without --data it trains on a synthetic
            state-tracking task generated on the fly (default: %s) and stops once held-out exact
            match reaches --until-accuracy; with --data it trains a character/byte language model.
            Output goes to a run directory: metrics.jsonl, loss.png, checkpoints/.
            """.formatted(DEFAULT_TASK))
            .section("Data:")
            .option("task", "NAME", String.join(", ", SyntheticTask.NAMES))
            .option("length", "L", "task sequence length (default per task)")
            .option("supervise", "last|every", """
                    parity: train on the final bit only (default) or on the running parity of every prefix;
                    held-out accuracy is always the final bit""")
            .option("data", "PATH", "UTF-8 text file or directory (language modelling)")
            .option("vocab", "char|byte", "text vocabulary (default char)")
            .section("Model:")
            .option("arch", "lm|cell|block", """
                    full LM blocks, the cell alone, or one block without MLP (the paper's MQAR and k-hop model)
                    (default: cell for keep-nth/parity, else lm)""")
            .option("cell", "NAME", """
                    paragru, paralstm, mingru, minlstm, tanhrnn, gru, rotation (default paragru; the last five
                    are written in the cell language, their Jacobians derived: gru's is dense, rotation's 2x2
                    blocks); or a name a CellSpecProvider gives (./pararnn cells lists them)""")
            .option("dim", "D", "model width (text default 128; per task otherwise)")
            .option("layers", "L", "layers (text default 4)")
            .option("heads", "H", "heads (text default 2)")
            .option("clip", "C", "bound on the cells' A and C after each update (0.5 text, 0.9 tasks)")
            .option("z-loss", "W", "z-loss weight (default 0)")
            .option("retention", "R", """
                    bias the cells' state-keeping gate at init: memory lengths spread up to ~e^R steps
                    (default 0; Keep-nth at --length 100 needs ~4)""")
            .section("Training (text defaults; a task's own recipe otherwise):")
            .option("context", "T", "text window in tokens (default 64)")
            .option("batch", "B", "sequences per step (text " + TEXT.batch() + ")")
            .option("accum", "K", "micro-batches summed per step (text " + TEXT.accumulation() + ")")
            .option("steps", "N", "training steps (text " + TEXT.steps() + ")")
            .option("lr", "LR", "peak learning rate (text " + plain(TEXT.lr()) + ")")
            .option("min-lr", "LR", "the cosine's floor (default a tenth of --lr)")
            .option("warmup", "N", "warm-up steps (text " + TEXT.warmup() + "; tasks: a tenth of the steps, at most 100)")
            .option("weight-decay", "W", "AdamW's decoupled weight decay (text " + plain(TEXT.weightDecay()) + ")")
            .option("beta2", "B2", "AdamW's second-moment decay (text " + plain(TEXT.beta2()) + ")")
            .option("clip-norm", "C", "global gradient-norm clip (text " + plain(TEXT.clipNorm()) + ")")
            .option("eval-every", "N", "steps between held-out evaluations (text " + TEXT.evalEvery() + ")")
            .option("eval-sequences", "N", "held-out sequences per evaluation (text " + TEXT.evalSequences() + ")")
            .option("checkpoint-every", "N", "steps between checkpoints (text " + TEXT.checkpointEvery() + "; 0: at the end)")
            .option("seed", "S", "seed of the weights and the data (default 1)")
            .option("until-accuracy", "A", "stop when held-out exact match >= A (tasks; default 0.99, 0: never)")
            .section("Solver:")
            .backendOption()
            .modeOption()
            .option("shards", "N|auto", """
                    replicas of the model side by side, each on a slice of every batch and a share of the
                    threads, gradients summed (default auto: one per thread where the backend can divide
                    itself and N divides the batch; a resumed run keeps its count)""")
            .section("Run:")
            .option("out", "DIR", """
                    run directory (default runs/<time>-<task|data>-<cell>); one that holds a run is refused,
                    and one run at a time holds it (run.lock names the holder)""")
            .flag("overwrite", "replace the run in --out (its metrics, plot and checkpoints are removed)")
            .option("resume", "DIR", "continue a run exactly from its latest checkpoint (--steps may extend it)")
            .footer("""
                    Ctrl-C stops after the step in progress, saves a checkpoint and the loss plot, and prints the
                    command that continues the run.""");

    @Override
    public String name() {
        return "train";
    }

    @Override
    public String summary() {
        return "train a ParaGRU/ParaLSTM model on a synthetic task (default) or on text";
    }

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    /** {@code 0.001}, {@code 0.99}, {@code 1}: as a user would type it. */
    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        // Under mpirun this process is one rank of a data-parallel run; rank 0 alone speaks and writes.
        Collective world = Collectives.fromEnvironment(System.getenv());
        try {
            PrintStream say = world.rank() == 0 ? out : new PrintStream(OutputStream.nullOutputStream());
            RunSpec spec = spec(args, say);
            Collectives.requireSameRun(world, spec.model() + "|" + spec.train() + "|" + spec.source().describe() + "|" + spec.mode()
                    + "|" + spec.backend() + "|" + (spec.resumeState() == null ? "fresh" : "resume@" + spec.resumeState().step()));
            return train(spec, say, world);
        } finally {
            world.close();
        }
    }

    /** The run the arguments describe (a fresh one, or the continuation of a checkpoint). */
    RunSpec spec(List<String> args, PrintStream out) throws IOException {
        Options o = new Options(SPEC, args);
        return o.get("resume") != null ? resumeSpec(o, out) : freshSpec(o, out);
    }

    private RunSpec freshSpec(Options o, PrintStream out) throws IOException {
        RunDirectory.Claim claim = o.flag("overwrite") ? RunDirectory.Claim.REPLACE : RunDirectory.Claim.FRESH;
        if (o.get("out") != null) { // before the data is read or anything is said
            refuseIfHoldingARun(Path.of(o.get("out")), claim);
        }
        String cell = o.parse("cell", "paragru", name -> {
            CellKinds.require(name);
            return name;
        });
        Mode mode = o.parse("mode", "AUTO", Mode::parse);
        long seed = o.getInt("seed", 1);
        BatchSource source;
        ModelConfig model;
        TrainConfig train;
        String label;
        double until;
        if (o.get("data") != null) {
            if (o.get("task") != null || o.get("length") != null || o.get("supervise") != null) {
                throw new UsageException("train: give either --data or --task (--length, --supervise), not both");
            }
            Path data = Path.of(o.get("data"));
            int context = o.getInt("context", 64);
            source = TextCorpus.load(data, o.parse("vocab", "char", Vocabulary::parseKind), null, context, 0.1);
            int dim = o.getInt("dim", 128);
            Architecture arch = o.parse("arch", "lm", Architecture::parse);
            int vocab = source.vocab();
            model = Options.asUsage(() -> withOverrides(o, ModelConfig.languageModel(vocab, dim, o.getInt("layers", 4),
                    o.getInt("heads", 2), cell, seed), arch, 0.5f));
            train = Options.asUsage(() -> overridden(o, TrainConfig.textDefaults(), seed));
            label = data.getFileName() + "-" + cell;
            until = 0;
        } else {
            String taskName = o.parse("task", DEFAULT_TASK, name -> {
                if (!SyntheticTask.NAMES.contains(name)) {
                    throw new IllegalArgumentException("train: unknown task '" + name + "'"
                            + Suggest.closest(name, SyntheticTask.NAMES).map(s -> "; did you mean " + s + "?").orElse("")
                            + " (tasks: " + String.join(", ", SyntheticTask.NAMES) + ")");
                }
                return name;
            });
            if (o.get("context") != null || o.get("vocab") != null) {
                throw new UsageException("train: --context and --vocab are for --data; tasks take --length");
            }
            TaskKind.Defaults d = TaskKind.named(taskName).defaults();
            boolean everyStep = supervisesEveryStep(o);
            SyntheticTask task = Options.asUsage(() -> SyntheticTask.define(taskName, o.getInt("length", d.length()), everyStep));
            source = task;
            Architecture arch = o.parse("arch", d.arch().name(), Architecture::parse);
            int dim = o.getInt("dim", d.dim());
            model = Options.asUsage(() -> withOverrides(o, arch == Architecture.CELL
                    ? new ModelConfig(arch, task.vocab(), dim, 1, o.getInt("heads", d.heads()), cell, 0, 4, task.steps(), 0.9f, 0f, seed)
                    : ModelConfig.languageModel(task.vocab(), dim, o.getInt("layers", d.layers()), o.getInt("heads", d.heads()), cell,
                    seed), arch, 0.9f));
            int steps = o.getInt("steps", d.steps());
            train = Options.asUsage(() -> overridden(o, TrainConfig.taskDefaults(steps, d.batch(), d.lr(), d.evalEvery()), seed));
            label = taskName + "-L" + task.steps() + "-" + cell;
            // Before the task samples its first sequence, which grows with --length; before the backend is chosen,
            // so counting the activations as if they were on the heap (train() checks again knowing where they are).
            refuseIfLargerThanTheHeap(model, train, task, Runtime.getRuntime(), true);
            task.checkSplit();
            until = o.getDouble("until-accuracy", 0.99);
            out.println("task " + taskName + ": " + task.explain());
        }
        Path runDir = o.get("out") != null ? Path.of(o.get("out"))
                : Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + label);
        if (o.get("out") == null) { // an explicit --out was checked first thing
            refuseIfHoldingARun(runDir, claim);
        }
        return new RunSpec(o.get("backend"), mode, model, train, source, runDir, null, null, until, label, out,
                terminal, shards(o, train), claim);
    }

    /**
     * A fresh run into a directory that holds one is a mistake on the command line (checked again under the
     * directory's lock, {@link RunDirectory#claim}).
     */
    private static void refuseIfHoldingARun(Path runDir, RunDirectory.Claim claim) throws IOException {
        if (claim == RunDirectory.Claim.FRESH) {
            var held = RunDirectory.describeRun(runDir);
            if (held.isPresent()) {
                throw new UsageException("train: --out " + runDir + " already holds a run (" + held.get() + "); give --resume "
                        + runDir + " to continue it, --overwrite to replace it, or another --out");
            }
        }
    }

    /**
     * The recipe {@code base} with what the options set instead; the cosine's floor and the warm-up follow a changed
     * peak or length unless they are given too ({@link TrainConfig#defaultMinLr}).
     */
    private static TrainConfig overridden(Options o, TrainConfig base, long seed) {
        double lr = o.getDouble("lr", base.lr());
        int steps = o.getInt("steps", base.steps());
        return new TrainConfig(steps, o.getInt("batch", base.batch()), o.getInt("accum", base.accumulation()), lr,
                o.getDouble("min-lr", TrainConfig.defaultMinLr(lr)), o.getInt("warmup", base.warmup()), base.beta1(),
                o.getDouble("beta2", base.beta2()), base.eps(), o.getDouble("weight-decay", base.weightDecay()),
                o.getDouble("clip-norm", base.clipNorm()), o.getInt("eval-every", base.evalEvery()),
                o.getInt("eval-sequences", base.evalSequences()), o.getInt("checkpoint-every", base.checkpointEvery()), seed);
    }

    /** {@code --shards}: a count that divides the batch, or 0 for automatic. */
    private static int shards(Options o, TrainConfig train) {
        String s = o.get("shards", "auto");
        if (s.equals("auto")) {
            return 0;
        }
        int n;
        try {
            n = Integer.parseInt(s);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || train.batch() % n != 0) {
            throw new UsageException("train: --shards must be 'auto' or a whole number ≥ 1 that divides --batch "
                    + train.batch() + ", got '" + s + "'");
        }
        return n;
    }

    private static boolean supervisesEveryStep(Options o) {
        String s = o.get("supervise", "last");
        return switch (s) {
            case "last" -> false;
            case "every" -> true;
            default -> throw new UsageException("train: --supervise must be 'last' or 'every', got '" + s + "'");
        };
    }

    private static ModelConfig withOverrides(Options o, ModelConfig b, Architecture arch, float defaultClip) {
        if (arch != Architecture.LM && o.get("layers") != null && o.getInt("layers", 1) != 1) {
            throw new UsageException("train: --arch " + arch.name().toLowerCase(java.util.Locale.ROOT)
                    + " has exactly one layer");
        }
        int positions = arch == Architecture.CELL ? Math.max(b.positions(), 1) : 0;
        return new ModelConfig(arch, b.vocab(), b.dim(), arch == Architecture.LM ? b.layers() : 1, b.heads(), b.cell(),
                arch == Architecture.LM ? Math.max(b.mlpHidden(), 8) : 0, b.convKernel(), positions,
                (float) o.getDouble("clip", defaultClip), (float) o.getDouble("z-loss", 0), b.seed(),
                (float) o.getDouble("retention", 0));
    }

    private RunSpec resumeSpec(Options o, PrintStream out) throws IOException {
        for (String fixed : List.of("task", "length", "supervise", "data", "vocab", "arch", "cell", "dim", "layers", "heads", "context",
                "batch", "accum", "lr", "min-lr", "warmup", "weight-decay", "beta2", "clip-norm", "clip", "z-loss", "retention", "seed")) {
            if (o.get(fixed) != null) {
                throw new UsageException("train --resume continues the run as it was configured; --" + fixed
                        + " cannot change (only --steps, --backend, --mode, --until-accuracy, --eval-every, --out)");
            }
        }
        Path given = Path.of(o.get("resume"));
        Path ck = Checkpoint.resolve(given);
        Checkpoint.State st = Checkpoint.readState(ck);
        if (st.train() == null) {
            throw new IllegalArgumentException(ck + " has no training state to resume");
        }
        TrainConfig train = st.train();
        if (o.get("steps") != null) {
            TrainConfig saved = train;
            train = Options.asUsage(() -> saved.withSteps(o.getInt("steps", saved.steps())));
        }
        if (st.step() >= train.steps()) {
            throw new IllegalArgumentException(ck + " is at step " + st.step() + " of " + train.steps()
                    + ": nothing to resume (give a larger --steps to continue)");
        }
        BatchSource source = Sources.fromDescription(st.data());
        Path own = ck.getParent().getParent();
        Path runDir = o.get("out") != null ? Path.of(o.get("out")) : own;
        // Continuing in the checkpoint's own run directory; elsewhere the run starts a new directory (or replaces one).
        boolean elsewhere = Files.isDirectory(runDir) ? !Files.isSameFile(runDir, own) : !runDir.toAbsolutePath().normalize()
                .equals(own.toAbsolutePath().normalize());
        if (o.flag("overwrite") && !elsewhere) {
            throw new UsageException("train: --overwrite replaces a run and --resume continues it; give one (or --out another"
                    + " directory with --overwrite)");
        }
        RunDirectory.Claim claim = !elsewhere ? RunDirectory.Claim.CONTINUE
                : o.flag("overwrite") ? RunDirectory.Claim.REPLACE : RunDirectory.Claim.FRESH;
        refuseIfHoldingARun(runDir, claim);
        String label = st.data().get("kind").equals("task") ? st.data().get("task") + "-" + st.model().cell()
                : "text-" + st.model().cell();
        out.println("resuming " + ck + " at step " + st.step() + " of " + train.steps());
        Mode mode = o.parse("mode", String.valueOf(st.extra().getOrDefault("mode", "AUTO")), Mode::parse);
        double until = o.getDouble("until-accuracy", st.data().get("kind").equals("task") ? 0.99 : 0);
        return new RunSpec(o.get("backend"), mode, st.model(), train, source, runDir, ck, st, until, label, out,
                terminal, shards(o, train), claim);
    }

    static int train(RunSpec spec, PrintStream out) throws IOException {
        return train(spec, out, Collective.SINGLE);
    }

    static int train(RunSpec spec, PrintStream out, Collective world) throws IOException {
        // Rank 0 alone writes the run directory, so it alone holds it.
        try (RunDirectory dir = world.rank() == 0 ? RunDirectory.claim(spec.runDir(), spec.claim(), "./pararnn train, "
                + spec.title()) : null;
             Session session = Session.open(SolverSettings.of(spec.backend(), spec.mode()), new TrainingModule(spec, world))) {
            if (dir != null) {
                dir.takenOver().ifPresent(out::println);
            }
            // Before the model is made; on a backend whose ops keep the activations in device memory they do not count.
            refuseIfLargerThanTheHeap(spec.model(), spec.train(), spec.source(), Runtime.getRuntime(),
                    session.solver().backend().ops().takesHostArrays());
            return train(session, spec, out, world, dir);
        }
    }

    /** Exit status of a run stopped by SIGINT (128 + 2), as a shell reports it. */
    static final int INTERRUPTED = 130;

    /**
     * The run's replicas ({@code --shards}, else a resumed run's count, else {@link Shards#automatic}), with a header
     * line; null for one model. An explicit count the backend cannot run is refused.
     */
    private static Shards shards(RunSpec spec, LanguageModel model, PrintStream out) {
        // A checkpoint from before replicas existed was trained by one model.
        Object saved = spec.resumeState() == null ? null : spec.resumeState().extra().getOrDefault("shards", 1);
        long count = spec.shards() > 0 ? spec.shards() : saved instanceof Number n ? n.intValue()
                : Shards.automatic(model, spec.train().batch());
        if (count > 1) {
            // Each replica holds the parameters with their gradients, and the replicas' activations come on top of the
            // model's own (which its evaluations fill): what the run's first heap check did not count.
            Runtime rt = Runtime.getRuntime();
            String numbers = shardsTooLarge(count, model.parameterCount(),
                    Footprint.of(spec.model(), spec.train().batch(), spec.source().steps(), false).activationBytes(),
                    rt.maxMemory() - (rt.totalMemory() - rt.freeMemory()));
            if (numbers != null) {
                if (spec.shards() > 0) {
                    throw new IllegalArgumentException("train: " + numbers + "; use --shards 1, or give the JVM more heap"
                            + " with JAVA_OPTS=-Xmx<size>");
                }
                out.println("shards: one model (" + numbers + ")");
                count = 1;
            }
        }
        StringBuilder whyNot = new StringBuilder();
        java.util.Optional<Shards> s = Shards.of(model, (int) count, whyNot);
        if (s.isEmpty() && count > 1) {
            if (spec.shards() > 0) {
                throw new IllegalArgumentException("train: " + count + " shards cannot run here: " + whyNot + " (use --shards 1)");
            }
            if (saved != null) {
                out.println("shards: one model (the checkpoint was trained by " + count + " replicas, but " + whyNot
                        + "; the gradients' sums now run in another order)");
            }
        }
        if (s.isPresent()) {
            out.println("shards: " + s.get().describe(spec.train().batch()) + (spec.shards() > 0 ? "" : saved != null
                    ? " (as the checkpoint was trained)" : " (auto; --shards 1 runs one model on every thread)"));
        }
        return s.orElse(null);
    }

    /**
     * Null when {@code count} replicas (each the parameters with their gradients; together one batch's activations)
     * fit in {@link #HEAP_SHARE} of the {@code free} heap, else the numbers in words.
     */
    static String shardsTooLarge(long count, long parameters, long activationBytes, long free) {
        long need = count * parameters * 2 * Float.BYTES + activationBytes;
        return need <= HEAP_SHARE * free ? null : String.format(java.util.Locale.ROOT,
                "%d replicas need about %s more heap, %s is free", count, Footprint.bytes(need), Footprint.bytes(free));
    }

    /** Share of the free heap a run may plan to fill: the JVM, the data and the collector need the rest. */
    static final double HEAP_SHARE = 0.9;

    /**
     * Refuses, before anything is allocated, a run whose model, optimiser state and batch activations
     * ({@link Footprint}; the activations only when {@code activationsOnHeap}) exceed what the heap can still
     * hold, naming the option that makes it large.
     */
    static void refuseIfLargerThanTheHeap(ModelConfig model, TrainConfig train, BatchSource source, Runtime rt,
                                          boolean activationsOnHeap) {
        long steps = source.steps();
        Footprint f = Footprint.of(model, train.batch(), steps, true, activationsOnHeap);
        long max = rt.maxMemory();
        long free = max - (rt.totalMemory() - rt.freeMemory());
        if (f.totalBytes() <= HEAP_SHARE * free) {
            return;
        }
        boolean task = source instanceof SyntheticTask;
        String lengthOption = task ? "--length" : "--context";
        String shrink = f.activationBytes() >= f.parameterBytes() + f.optimizerBytes()
                ? "lower " + lengthOption + " " + steps + " or --batch " + train.batch()
                : "lower --dim " + model.dim() + (task && model.positions() > 0 ? " or " + lengthOption + " " + steps
                : " or --layers " + model.layers());
        throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                "train: this run needs about %s of Java heap (%,d parameters with gradients and AdamW state: %s; "
                        + "activations for a batch of %d × %d tokens: %s) but only %s of the %s heap is free; %s, "
                        + "or give the JVM more heap with JAVA_OPTS=-Xmx<size>",
                Footprint.bytes(f.totalBytes()), f.parameters(), Footprint.bytes(f.parameterBytes() + f.optimizerBytes()),
                train.batch(), steps, Footprint.bytes(f.activationBytes()), Footprint.bytes(free),
                Footprint.bytes(max), shrink));
    }

    private static int train(Session session, RunSpec spec, PrintStream out, Collective world, RunDirectory dir)
            throws IOException {
        LanguageModel model = session.get(LanguageModel.class);
        RnnSolver solver = session.solver();
        Trainer trainer = session.get(Trainer.class);
        ModelConfig m = spec.model();
        TrainConfig t = spec.train();
        out.printf("model: %s %s, D=%d, layers=%d, heads=%d, vocab=%d, %,d parameters%n", m.architecture().name().toLowerCase(),
                m.cell(), m.dim(), m.layers(), m.heads(), m.vocab(), model.parameterCount());
        out.printf("solver: backend %s (%s), mode %s; batch %d × %d steps × accum %d, %d optimiser steps, lr %.2g%n",
                solver.backend().name(), solver.backend().device(), solver.mode(), t.batch(), spec.source().steps(),
                t.accumulation(), t.steps(), t.lr());
        out.println("ops: " + solver.backend().ops().describe() + "; " + model.solvePlacement());
        if (world.size() > 1) {
            out.printf("data parallel: %s; global batch %d (batch %d per rank)%n", world.describe(), t.batch() * world.size(), t.batch());
        }
        Trainer.Result r;
        var trafficBefore = solver.backend().traffic();
        try (Shards shards = shards(spec, model, out);
             StopOnInterrupt stop = world.size() == 1 ? new StopOnInterrupt(trainer, out) : null) {
            trainer.shards(shards);
            out.println("run directory: " + spec.runDir().toAbsolutePath());
            try {
                r = trainer.run();
                if (trainer.stopped()) {
                    if (dir != null) {
                        dir.close();
                    }
                    out.println("interrupted at step " + r.steps() + " of " + t.steps() + " (" + Progress.duration(r.trainSeconds())
                            + " of training)");
                    out.println("loss curve: " + r.plot().toAbsolutePath());
                    out.println("checkpoint: " + (r.checkpoint() == null ? "none" : r.checkpoint().toAbsolutePath()));
                    if (r.checkpoint() != null) {
                        out.println("continue with: ./pararnn train --resume " + spec.runDir());
                    }
                    out.flush();
                    return INTERRUPTED;
                }
            } finally {
                if (stop != null) {
                    stop.reported();
                }
            }
        }
        var e = r.finalEvaluation();
        out.println();
        out.printf("done: %d steps, %s of training, %,.0f tokens/s%n", r.steps(), Progress.duration(r.trainSeconds()),
                r.tokensPerSecond());
        if (trafficBefore.isPresent() && r.steps() > 0) {
            var moved = solver.backend().traffic().orElseThrow().since(trafficBefore.get());
            int n = r.steps();
            out.printf("device traffic per step (evaluations included): ops %s to the device, %s back (tokens, targets,"
                    + " predictions, sums, and any cell input and output copied through Java arrays); solves %s to, %s back%n",
                    Footprint.bytes(moved.opsToDevice() / n), Footprint.bytes(moved.opsFromDevice() / n),
                    Footprint.bytes(moved.solvesToDevice() / n), Footprint.bytes(moved.solvesFromDevice() / n));
        }
        if (spec.source() instanceof SyntheticTask task) {
            out.printf("held-out (%d sequences never trained on): exact match %.2f %%, token accuracy %.2f %%, loss %.4f%n",
                    e.sequences(), 100 * e.exactMatch(), 100 * e.accuracy(), e.loss());
            if (r.stepReached() > 0) {
                out.printf("reached ≥ %.0f %% exact match at step %d, after %s of training%n", 100 * spec.stopAtAccuracy(),
                        r.stepReached(), Progress.duration(r.secondsReached()));
            } else if (spec.stopAtAccuracy() > 0) {
                out.printf("did NOT reach %.0f %% exact match within %d steps%n", 100 * spec.stopAtAccuracy(), r.steps());
            }
            out.println("held-out examples (" + task.explain() + "):");
            Showcase.examples(model, task, 4, out);
        } else if (spec.source() instanceof TextCorpus text) {
            out.printf("held-out: %.4f nats/token, %.4f bits/token, perplexity %.2f (%d windows)%n", e.loss(),
                    e.bitsPerToken(), e.perplexity(), e.sequences());
            Showcase.sample(model, text, 300, out);
        }
        out.println("loss curve: " + r.plot().toAbsolutePath());
        out.println("metrics:    " + spec.runDir().resolve("metrics.jsonl").toAbsolutePath());
        out.println("checkpoint: " + (r.checkpoint() == null ? "none" : r.checkpoint().toAbsolutePath()));
        return 0;
    }
}
