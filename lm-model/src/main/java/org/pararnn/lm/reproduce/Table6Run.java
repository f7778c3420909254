package org.pararnn.lm.reproduce;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pararnn.api.RnnSolver;
import org.pararnn.lm.app.RunSpec;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.app.TrainingModule;
import org.pararnn.lm.train.RunDirectory;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.tasks.KHop;
import org.pararnn.lm.tasks.TaskDataset;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.Evaluation;
import org.pararnn.lm.train.Progress;
import org.pararnn.lm.train.TrainConfig;
import org.pararnn.lm.train.Trainer;

/**
 * One cell of the table: a task and a cell trained from up to {@code seeds} seeds within a wall-clock budget (the
 * whole of it: data aside, training, validation and the final test evaluation), the seed kept by validation
 * accuracy, then measured once on the test set (docs/design.md §2, "Table 6").
 *
 * <p>The budget is shared out as it goes: 2 % is kept back, and before each seed what is left (less a reserve for
 * the test evaluation, timed on this machine before training with a 10 % margin) is split evenly over the seeds still
 * to run; from a seed's share come a short timing of training steps that makes a first plan of its steps and the
 * validation and save that follow its deadline. The seed then trains until its deadline or its target: at every
 * validation its steps are planned again from the measured times ({@link Trainer#fillingTheTimeToTheDeadline}), so a
 * timing that was pessimistic does not leave the budget unused, and one that was optimistic is stopped by the deadline.
 * A seed that reaches the target on validation ends the search. A k-hop test evaluation is also broken down by how far
 * back the answers lie ({@link DistanceBreakdown}).
 */
public final class Table6Run {
    /** Validation sequences (disjoint from training and test): they stop a seed early and pick the kept one. */
    public static final int VALIDATION = 1_000;
    /** Share of a seed's time spent timing steps on a throwaway model to size its schedule (at least 2 s). */
    private static final double CALIBRATION_SHARE = 0.02;
    /**
     * Evaluation time (the test's, a seed's last validation) is reserved with this margin over its timing: the timing
     * is of the same forward passes, warm, so a small margin covers the collector and a busy neighbour.
     */
    private static final double TEST_MARGIN = 1.1;
    /** What a seed does after its deadline besides the last validation: the checkpoint and the loss plot. */
    private static final double SAVE_SECONDS = 2;
    /** Share of the budget kept back for what no timing foresees (the collector, a slow disk). */
    private static final double SLACK = 0.02;
    /** Seconds per sequence of a forward-only evaluation, timed before training. */
    private double evalPerSequence;

    private final Table6Task task;
    private final String cell;
    private final TaskDataset data;
    private final Session session;
    private final RnnSolver solver;
    private final Path dir;
    private final PrintStream out;
    private final boolean terminal;

    /** Each seed is a training run made by {@code session} ({@link TrainingModule}) on its backend and solver. */
    public Table6Run(Table6Task task, String cell, TaskDataset data, Session session, Path dir, PrintStream out,
                     boolean terminal) {
        this.task = task;
        this.cell = cell;
        this.data = data;
        this.session = session;
        this.solver = session.solver();
        this.dir = dir;
        this.out = out;
        this.terminal = terminal;
    }

    /** One seed's outcome (accuracies in %, on validation). */
    public record Seed(long seed, double validationAccuracy, int steps, int plannedSteps, double seconds, boolean reachedTarget,
                       boolean ranOutOfTime) {
    }

    /** The cell's outcome: the kept seed's test accuracy and every seed tried. */
    public record Result(Table6Task task, String cell, double accuracy, double exactMatch, long parameters, int steps,
                         double epochs, double seconds, double budgetSeconds, List<Seed> seeds, long keptSeed,
                         Table6Task.Recipe recipe, double target, List<DistanceBreakdown.Range> byDistance) {
    }

    public Result run(int seeds, double budgetSeconds, double target) throws IOException {
        return run(seeds, budgetSeconds, target, task.recipe());
    }

    /** As {@link #run(int, double, double)} with another recipe than the task's own. */
    public Result run(int seeds, double budgetSeconds, double target, Table6Task.Recipe recipe) throws IOException {
        long start = System.nanoTime();
        long deadline = start + (long) (budgetSeconds * (1 - SLACK) * 1e9);
        int batch = recipe.batch();
        double testSeconds = timeTestEvaluation(recipe);
        out.printf(Locale.ROOT, "  test evaluation (%,d sequences) reserved: %s%n", data.test().count(),
                Progress.duration(testSeconds));
        List<Seed> tried = new ArrayList<>();
        LanguageModel best = null;
        Seed bestSeed = null;
        long parameters = 0;
        for (int i = 0; i < seeds; i++) {
            long seed = i + 1;
            double left = (deadline - System.nanoTime()) / 1e9 - testSeconds;
            double share = left / (seeds - i);
            if (share < 5) {
                out.printf(Locale.ROOT, "  seed %d: not run, %s left of the budget%n", seed, Progress.duration(Math.max(0, left)));
                break;
            }
            ModelConfig config = task.model(cell, seed, recipe);
            double secondsPerStep = timeSteps(config, recipe, Math.max(2, CALIBRATION_SHARE * share));
            share -= Math.max(2, CALIBRATION_SHARE * share);
            // After its deadline a seed still evaluates on validation and saves: that comes out of its share too.
            double tail = TEST_MARGIN * evalPerSequence * VALIDATION + SAVE_SECONDS;
            share = Math.max(1, share - tail);
            // Validation (about 20 times a seed) costs a few % of the steps; the deadline catches an optimistic timing.
            int planned = Math.max(50, (int) (share / secondsPerStep * 0.95));
            int evalEvery = Math.max(25, planned / 20);
            TrainConfig train = TrainConfig.taskDefaults(planned, batch, recipe.lr(), evalEvery)
                    .withWeightDecay(recipe.weightDecay()).withEvalSequences(VALIDATION).withSeed(seed);
            Path runDir = dir.resolve(task.id() + "-" + cell + "-seed" + seed);
            Files.createDirectories(runDir);
            RunSpec spec = new RunSpec(null, solver.mode(), config, train, data, runDir, null, null, target,
                    task.id() + " " + cell + " seed " + seed, out, terminal, 1, RunDirectory.Claim.FRESH);
            Session seedRun = session.with(new TrainingModule(spec));
            LanguageModel model = seedRun.get(LanguageModel.class);
            parameters = model.parameterCount();
            out.printf(Locale.ROOT, "  seed %d: %,d parameters, about %,d steps (%.1f epochs) in %s, planned again as it goes%n",
                    seed, parameters, planned, (double) planned * batch / data.training().count(), Progress.duration(share));
            Trainer trainer = seedRun.get(Trainer.class).stoppingOnTokenAccuracy()
                    .until(System.nanoTime() + (long) (share * 1e9)).fillingTheTimeToTheDeadline();
            long t0 = System.nanoTime();
            Trainer.Result r = trainer.run();
            Seed s = new Seed(seed, 100 * r.finalEvaluation().accuracy(), r.steps(), trainer.plannedSteps(), (System.nanoTime() - t0) / 1e9,
                    r.stepReached() > 0, trainer.ranOutOfTime());
            tried.add(s);
            out.printf(Locale.ROOT, "  seed %d: validation accuracy %.2f %% after %,d steps (%s)%n", seed, s.validationAccuracy(),
                    s.steps(), Progress.duration(s.seconds()));
            if (bestSeed == null || s.validationAccuracy() > bestSeed.validationAccuracy()) {
                best = model;
                bestSeed = s;
            }
            if (s.reachedTarget()) {
                break;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("a budget of " + Progress.duration(budgetSeconds) + " leaves no time to train "
                    + task.id() + " with " + cell + " (the test evaluation alone needs about " + Progress.duration(testSeconds) + ")");
        }
        DistanceBreakdown breakdown = data.task() instanceof KHop hops ? new DistanceBreakdown(hops) : null;
        long testStart = System.nanoTime();
        Evaluation test = Evaluation.over(best, data.test().count(), 250, data.steps(), data.test()::batchAt, breakdown);
        out.printf(Locale.ROOT, "  test evaluation: %s (reserved %s)%n", Progress.duration((System.nanoTime() - testStart) / 1e9),
                Progress.duration(testSeconds));
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(task, cell, 100 * test.accuracy(), 100 * test.exactMatch(), parameters, bestSeed.steps(),
                (double) bestSeed.steps() * batch / data.training().count(), seconds, budgetSeconds, tried, bestSeed.seed(),
                recipe, target, breakdown == null ? List.of() : breakdown.ranges());
    }

    /** Seconds for the test evaluation, from a timing of a few batches on a throwaway model (cold: an overestimate). */
    private double timeTestEvaluation(Table6Task.Recipe recipe) {
        LanguageModel probe = new LanguageModel(task.model(cell, 999, recipe)).solver(solver);
        int n = Math.min(data.test().count(), 1_000);
        Evaluation.over(probe, Math.min(n, 250), 250, data.steps(), data.test()::batchAt);
        long t0 = System.nanoTime();
        Evaluation.over(probe, n, 250, data.steps(), data.test()::batchAt);
        double perSequence = (System.nanoTime() - t0) / 1e9 / n;
        evalPerSequence = perSequence;
        return TEST_MARGIN * perSequence * data.test().count() + 1;
    }

    /**
     * Seconds per training step of this model, timed over the second half of {@code seconds} of steps on a throwaway
     * copy (the first half warms the JIT and the solver's choice of mode; the real run starts untouched).
     */
    private double timeSteps(ModelConfig config, Table6Task.Recipe recipe, double seconds) {
        int batch = recipe.batch();
        LanguageModel probe = new LanguageModel(task.model(cell, config.seed() + 1000, recipe)).solver(solver);
        AdamW adam = AdamW.of(probe.parameters(), TrainConfig.taskDefaults(1, batch, recipe.lr(), 0));
        Batch b = new Batch(batch, data.steps());
        Rng rng = new Rng(7);
        long begin = System.nanoTime();
        long half = begin + (long) (seconds * 0.5e9);
        long end = begin + (long) (seconds * 1e9);
        long t0 = 0;
        int timed = 0;
        for (long now = begin; now < end || timed < 3; now = System.nanoTime()) {
            if (t0 == 0 && now >= half) {
                t0 = now;
            }
            if (t0 != 0) {
                timed++;
            }
            probe.zeroGradients();
            data.training().copy(rng.nextInt(data.training().count()), b, 0);
            for (int r = 1; r < batch; r++) {
                data.training().copy(rng.nextInt(data.training().count()), b, r);
            }
            probe.forward(b.tokens, b.targets, batch, data.steps());
            probe.backward();
            adam.step(1e-4, 1.0);
            probe.clipRecurrent();
        }
        return (System.nanoTime() - t0) / 1e9 / timed;
    }
}
