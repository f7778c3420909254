package org.pararnn.lm.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.dist.Collective;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.SolveActivity;
import org.pararnn.lm.model.Loss;

/**
 * The training loop: micro-batches with gradient accumulation, global-norm clipping, AdamW on the
 * warmup + cosine schedule, the cells' recurrent weights clipped after every update, held-out
 * evaluations, metrics, atomic checkpoints and the loss plot. A NaN/Inf loss or gradient stops the run
 * before the update and names the last good checkpoint.
 */
public final class Trainer {
    private final LanguageModel model;
    private final BatchSource source;
    /** The run's settings; its steps and evaluation interval change when the run fills the time to its deadline. */
    private TrainConfig config;
    private final AdamW optimizer;
    private final Path runDir;
    private final Progress progress;
    private final Rng rng;
    private final Batch batch;
    private final double stopAtAccuracy;
    private final String title;
    private final Collective world;
    /** What the ranks share each step: nothing alone, the batch and the gradients over MPI. */
    private final RankExchange ranks;
    /** Whether {@link #stopAtAccuracy} is judged on token accuracy rather than exact match. */
    private boolean stopOnTokenAccuracy;
    /** {@link System#nanoTime()} after which no further step starts (the run evaluates and saves, then ends), if set. */
    private long deadline;
    private boolean hasDeadline;
    private boolean outOfTime;
    /** Whether the steps are re-planned at each evaluation so that the run trains until its deadline. */
    private boolean fillTime;
    /** Seconds spent in evaluations during this call of {@link #run()}, and how many. */
    private double evalSeconds;
    private int evals;
    private int step;
    private double elapsed;
    private volatile Path lastCheckpoint;
    /** Set from another thread (an interrupt): the loop saves after the step in progress and ends. */
    private volatile boolean stopRequested;
    /** Whether the last {@link #run()} ended on {@link #requestStop()}. */
    private volatile boolean stopped;
    /** Where each micro-batch's forward and backward run: the model, or replicas side by side. */
    private MicroBatches micro;

    /** Result of a run (or of the part of it that this call trained); no final evaluation (null) when it was stopped. */
    public record Result(int steps, Evaluation finalEvaluation, double trainSeconds, double tokensPerSecond,
                         int stepReached, double secondsReached, Path plot, Path checkpoint) {
    }

    public Trainer(LanguageModel model, BatchSource source, TrainConfig config, AdamW optimizer, Path runDir,
                   Progress progress, double stopAtAccuracy, String title) {
        this(model, source, config, optimizer, runDir, progress, stopAtAccuracy, title, Collective.SINGLE);
    }

    /**
     * Data parallel over {@code world} (docs/design.md §2, "Data parallel"): each rank trains on its own {@code batch}
     * rows of a global batch of {@code size × batch} sequences that every rank draws alike, the gradients are summed
     * across ranks before the norm and the update (so every rank applies the same update), and rank 0 alone writes
     * metrics, checkpoints and the plot.
     */
    public Trainer(LanguageModel model, BatchSource source, TrainConfig config, AdamW optimizer, Path runDir,
                   Progress progress, double stopAtAccuracy, String title, Collective world) {
        this.world = world;
        this.ranks = world.size() == 1 ? RankExchange.alone() : RankExchange.across(world, config.batch(), source.steps());
        this.micro = MicroBatches.onModel(model);
        this.model = model;
        this.source = source;
        this.config = config;
        this.optimizer = optimizer;
        this.runDir = runDir;
        this.progress = progress;
        this.stopAtAccuracy = stopAtAccuracy;
        this.title = title;
        this.rng = new Rng(config.seed());
        this.batch = new Batch(config.batch(), source.steps());
    }

    /** Continues from a checkpoint's state (weights and moments must already be loaded). */
    public Trainer resumeFrom(Checkpoint.State state, Path checkpoint) {
        Object saved = state.extra().get("ranks");
        int trainedBy = saved instanceof Number n ? n.intValue() : 1;
        if (trainedBy != world.size()) {
            throw new IllegalArgumentException("this checkpoint was trained by " + trainedBy + " rank(s) × batch "
                    + config.batch() + " (global batch " + trainedBy * config.batch() + "); resuming with " + world.size()
                    + " would change the global batch and the data each step sees: resume with mpirun -np " + trainedBy
                    + (trainedBy == 1 ? " (or without mpirun)" : ""));
        }
        this.step = state.step();
        this.lastCheckpoint = checkpoint;
        this.rng.state(state.rngState());
        optimizer.updates(state.adamUpdates());
        Object e = state.extra().get("train_seconds");
        this.elapsed = e instanceof Number n ? n.doubleValue() : 0;
        return this;
    }

    public int step() {
        return step;
    }

    /**
     * Runs every micro-batch's forward and backward on {@code shards} (null: on the model itself, {@link MicroBatches});
     * the step's gradient and everything after it are the model's as before. The count is saved with checkpoints.
     */
    public Trainer shards(Shards shards) {
        this.micro = shards != null ? shards : MicroBatches.onModel(model);
        return this;
    }

    /** Stops at {@code stopAtAccuracy} of held-out token accuracy (the paper's measure for every task) instead of exact match. */
    public Trainer stoppingOnTokenAccuracy() {
        this.stopOnTokenAccuracy = true;
        return this;
    }

    /**
     * Starts no step after {@link System#nanoTime()} passes {@code nanoTime}: the run then evaluates, saves and ends
     * as if its last step had come ({@link #ranOutOfTime()} says so).
     */
    public Trainer until(long nanoTime) {
        this.deadline = nanoTime;
        this.hasDeadline = true;
        return this;
    }

    /**
     * Asks the running loop, from any thread, to end after the step in progress: it saves a checkpoint and the loss
     * plot (rank 0) and returns as if its last step had come, without the final evaluation ({@link #stopped()}).
     * Meant for an interrupt; with several ranks every rank must be asked at the same step, which a signal cannot
     * promise.
     */
    public void requestStop() {
        stopRequested = true;
    }

    /** Whether the last {@link #run()} ended on {@link #requestStop()}. */
    public boolean stopped() {
        return stopped;
    }

    /** The newest checkpoint this trainer wrote (or resumed from), or null. */
    public Path lastCheckpoint() {
        return lastCheckpoint;
    }

    /**
     * With {@link #until}: the planned steps are only a first estimate; at every evaluation the steps left are planned
     * again from the measured time of a step and of an evaluation so that training ends at the deadline rather than
     * when the estimate runs out (a first estimate from a few seconds of timing was seen to be 20 times too small). The
     * cosine schedule stretches with the plan; each new plan moves the current point of the schedule back a little,
     * which a plan made early (the first evaluation comes after 5 % of the first estimate) keeps small.
     */
    public Trainer fillingTheTimeToTheDeadline() {
        if (!hasDeadline) {
            throw new IllegalStateException("fillingTheTimeToTheDeadline needs a deadline (until)");
        }
        this.fillTime = true;
        return this;
    }

    /** The steps the run plans now (its settings' {@code steps}; changed by {@link #fillingTheTimeToTheDeadline}). */
    public int plannedSteps() {
        return config.steps();
    }

    /** Whether the last {@link #run()} ended at its deadline, before its steps and before reaching its accuracy. */
    public boolean ranOutOfTime() {
        return outOfTime;
    }

    public Result run() throws IOException {
        Path metricsFile = runDir.resolve("metrics.jsonl");
        int stepReached = -1;
        double secondsReached = Double.NaN;
        Evaluation last = null;
        long tokensPerStep = (long) config.batch() * source.steps() * config.accumulation() * world.size();
        int firstStep = step;
        double startElapsed = elapsed;
        stopped = false;
        evalSeconds = 0;
        evals = 0;
        if (world.rank() == 0) {
            LossPlot.prepare();
        }
        try (Metrics metrics = world.rank() == 0 ? new Metrics(metricsFile, step) : Metrics.inMemory()) {
            while (step < config.steps()) {
                long t0 = System.nanoTime();
                double lr = config.learningRate(step);
                Stepped s = trainStep(lr);
                step++;
                double seconds = (System.nanoTime() - t0) / 1e9;
                elapsed += seconds;
                double rate = (step - firstStep) * tokensPerStep / Math.max(1e-9, elapsed - startElapsed);
                metrics.log(record(s, lr, seconds, tokensPerStep));
                progress.step(step, s.shared().loss(), rate, s.solves());

                // nanoTime's origin is arbitrary (it may be negative): compare differences, and only to a deadline set.
                boolean late = hasDeadline && step < config.steps() && System.nanoTime() - deadline >= 0;
                if (stopRequested && step < config.steps()) {
                    stopped = true;
                    progress.line(String.format("interrupted: stopping after step %d of %d (%s of training)", step,
                            config.steps(), Progress.duration(elapsed)));
                    save();
                    break;
                }
                boolean end = step == config.steps() || late;
                if (end || (config.evalEvery() > 0 && step % config.evalEvery() == 0)) {
                    long e0 = System.nanoTime();
                    last = evaluate(metrics);
                    evalSeconds += (System.nanoTime() - e0) / 1e9;
                    evals++;
                    double reached = stopOnTokenAccuracy ? last.accuracy() : last.exactMatch();
                    if (stepReached < 0 && stopAtAccuracy > 0 && reached >= stopAtAccuracy) {
                        stepReached = step;
                        secondsReached = elapsed;
                        progress.line(String.format("reached %.2f %% held-out %s at step %d after %s of training",
                                100 * reached, stopOnTokenAccuracy ? "accuracy" : "exact match", step,
                                Progress.duration(elapsed)));
                        end = true;
                        late = false;
                    }
                }
                if (fillTime && !end) {
                    replan((elapsed - startElapsed) / (step - firstStep));
                }
                if (late) {
                    outOfTime = true;
                    progress.line(String.format("out of time at step %d of %d after %s of training", step, config.steps(),
                            Progress.duration(elapsed)));
                }
                if (end || (config.checkpointEvery() > 0 && step % config.checkpointEvery() == 0)) {
                    save();
                }
                if (end) {
                    break;
                }
            }
            progress.finish();
            if (last == null && !stopped) {
                last = evaluate(metrics);
            }
            Path plot = runDir.resolve("loss.png");
            if (world.rank() == 0) {
                try {
                    LossPlot.write(plot, title, metrics.trainCurve(), metrics.evalCurve());
                } catch (IOException | RuntimeException e) {
                    if (!stopped) {
                        throw e;
                    }
                    // Stopping on an interrupt: the checkpoint is what matters; say why the plot is missing.
                    progress.line("could not write " + plot + " while stopping: " + e);
                }
            }
            double rate = step == firstStep ? 0 : (step - firstStep) * tokensPerStep / Math.max(1e-9, elapsed - startElapsed);
            return new Result(step, last, elapsed, rate, stepReached, secondsReached, plot, lastCheckpoint);
        }
    }

    /**
     * Plans the steps left so that they, and the evaluations every {@code E} of them, end at the deadline:
     * {@code k·step + (k/E)·evaluation ≤ time left}, with {@code E} a twentieth of the new total (at least 25) as the
     * first plan had it, and 3 % kept back; the schedule and the progress line follow. Called after an evaluation.
     */
    private void replan(double secondsPerStep) {
        double left = (deadline - System.nanoTime()) / 1e9;
        if (!(secondsPerStep > 0) || evals == 0 || left <= 0) {
            return;
        }
        double perEval = evalSeconds / evals;
        int every = Math.max(25, config.steps() / 20);
        long k = 0;
        for (int i = 0; i < 3; i++) { // E depends on the total, which depends on E: a few rounds settle it
            k = (long) (0.97 * left / (secondsPerStep + perEval / every));
            every = (int) Math.max(25, Math.min(Integer.MAX_VALUE / 2, (step + k) / 20));
        }
        int total = (int) Math.max(step + 1, Math.min(Integer.MAX_VALUE / 2, step + k));
        if (Math.abs(total - config.steps()) <= 0.01 * config.steps()) {
            return;
        }
        if (Math.abs(total - config.steps()) > 0.1 * config.steps()) {
            progress.line(String.format("re-planned at step %d: %,d steps in all to the deadline (a step %.1f ms, an evaluation"
                    + " %.2f s, measured)", step, total, 1e3 * secondsPerStep, perEval));
        }
        config = config.withSteps(total, every);
        progress.total(total);
    }

    /** One optimiser step's numbers: the ranks' shared loss and counts, the gradient's norm, the solves. */
    private record Stepped(RankExchange.Step shared, double norm, SolveActivity solves) {
    }

    /**
     * One optimiser step: the micro-batches' forward and backward (gradients accumulated), the exchange across ranks,
     * the gradient's global norm and clipping, AdamW at {@code lr}, the cells' recurrent weights clipped. A non-finite
     * loss or norm stops the run before the update.
     */
    private Stepped trainStep(double lr) {
        model.zeroGradients();
        double loss = 0;
        SolveActivity solves = SolveActivity.NONE;
        int correct = 0;
        int counted = 0;
        for (int m = 0; m < config.accumulation(); m++) {
            ranks.draw(source, rng, batch);
            Loss l = micro.forwardBackward(batch);
            if (!Double.isFinite(l.total())) {
                throw diverged("the loss is " + l.total() + " at step " + (step + 1));
            }
            loss += l.crossEntropy() / config.accumulation();
            solves = solves.plus(micro.lastSolves());
            correct += l.correct();
            counted += l.counted();
        }
        RankExchange.Step shared = ranks.exchange(model.parameters(), loss, correct, counted);
        double scale = 1.0 / config.accumulation() / shared.ranks();
        double norm = AdamW.gradientNorm(model.parameters()) * scale;
        if (!Double.isFinite(norm)) {
            throw diverged("the gradient norm is " + norm + " at step " + (step + 1));
        }
        if (config.clipNorm() > 0 && norm > config.clipNorm()) {
            scale *= config.clipNorm() / norm;
        }
        optimizer.step(lr, scale);
        model.clipRecurrent();
        return new Stepped(shared, norm, solves);
    }

    /** The step's line of {@code metrics.jsonl}. */
    private Map<String, Object> record(Stepped s, double lr, double seconds, long tokensPerStep) {
        RankExchange.Step shared = s.shared();
        Map<String, Object> rec = Metrics.record("train", step);
        rec.put("loss", shared.loss());
        rec.put("accuracy", shared.counted() == 0 ? 0.0 : (double) shared.correct() / shared.counted());
        rec.put("lr", lr);
        rec.put("grad_norm", s.norm());
        rec.put("newton_iterations", s.solves().meanNewtonIterations());
        rec.put("sequential_solves", s.solves().solves() - s.solves().newtonSolves());
        rec.put("step_seconds", seconds);
        rec.put("tokens_per_second", tokensPerStep / seconds);
        rec.put("train_seconds", elapsed);
        if (shared.ranks() > 1) {
            rec.put("ranks", shared.ranks());
            rec.put("allreduce_seconds", shared.seconds());
            rec.put("allreduce_bytes", shared.bytes());
        }
        return rec;
    }

    private Evaluation evaluate(Metrics metrics) throws IOException {
        Evaluation e = Evaluation.run(model, source, config.evalSequences(), config.batch());
        Map<String, Object> rec = Metrics.record("eval", step);
        rec.put("loss", e.loss());
        rec.put("accuracy", e.accuracy());
        rec.put("exact_match", e.exactMatch());
        rec.put("sequences", e.sequences());
        rec.put("train_seconds", elapsed);
        metrics.log(rec);
        boolean task = source instanceof org.pararnn.lm.tasks.SyntheticTask;
        progress.line(String.format("eval @ step %d: held-out loss %.4f (%.3f bits/token), accuracy %.2f %%%s (%d sequences)",
                step, e.loss(), e.bitsPerToken(), 100 * e.accuracy(),
                task ? String.format(", exact match %.2f %%", 100 * e.exactMatch()) : "", e.sequences()));
        return e;
    }

    private void save() throws IOException {
        if (world.rank() != 0) {
            return;
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("ranks", world.size());
        extra.put("shards", micro.replicas());
        extra.put("train_seconds", elapsed);
        extra.put("backend", model.solver().backend().name());
        extra.put("mode", model.solver().mode().name());
        lastCheckpoint = Checkpoint.save(runDir, model, optimizer, new Checkpoint.State(model.config(), config,
                source.describe(), step, optimizer.updates(), rng.state(), extra));
    }

    private TrainingDivergedException diverged(String what) {
        String keep = lastCheckpoint != null ? "the last good checkpoint is " + lastCheckpoint
                : "no checkpoint was written yet";
        return new TrainingDivergedException("training stopped: " + what + "; the update was not applied and "
                + keep + " (try a lower --lr or --clip-norm)");
    }
}
