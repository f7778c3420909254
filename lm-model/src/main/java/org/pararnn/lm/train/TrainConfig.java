package org.pararnn.lm.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The optimiser, schedule and loop settings of a run (the model's shape is {@code ModelConfig}).
 *
 * @param steps        optimiser steps
 * @param batch        sequences per micro-batch
 * @param accumulation micro-batches whose gradients are averaged into one step
 * @param lr           peak learning rate, reached after {@code warmup} steps and cosine-decayed to {@code minLr}
 * @param weightDecay  decoupled (AdamW) decay, applied to matrices only
 * @param clipNorm     global gradient-norm clip (0: none)
 * @param evalEvery    steps between held-out evaluations (0: only at the end)
 * @param evalSequences held-out sequences per evaluation (rounded up to whole batches)
 * @param checkpointEvery steps between checkpoints (0: only at the end)
 * @param seed         seed of the data stream (the model has its own)
 */
public record TrainConfig(int steps, int batch, int accumulation, double lr, double minLr, int warmup,
                          double beta1, double beta2, double eps, double weightDecay, double clipNorm,
                          int evalEvery, int evalSequences, int checkpointEvery, long seed) {
    public TrainConfig {
        if (steps <= 0 || batch <= 0 || accumulation <= 0) {
            throw new IllegalArgumentException("steps, batch and accumulation must be positive, got "
                    + steps + ", " + batch + ", " + accumulation);
        }
        if (!(lr > 0) || !(minLr >= 0) || minLr > lr) {
            throw new IllegalArgumentException("need 0 ≤ min lr ≤ lr and lr > 0, got lr " + lr + ", min " + minLr);
        }
        if (warmup < 0 || evalEvery < 0 || evalSequences <= 0 || checkpointEvery < 0) {
            throw new IllegalArgumentException("warmup, eval and checkpoint intervals must be ≥ 0 (eval sequences > 0)");
        }
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps > 0 && weightDecay >= 0 && clipNorm >= 0)) {
            throw new IllegalArgumentException("bad optimiser settings: betas in [0,1), eps > 0, decay and clip ≥ 0");
        }
    }

    /**
     * The text recipe (README, "Training models"; the reference's): what {@code ./pararnn train --data} uses where the
     * command line says nothing, and the optimiser settings the benchmarks' training steps use.
     */
    public static TrainConfig textDefaults() {
        double lr = 1e-3;
        return new TrainConfig(2000, 12, 1, lr, defaultMinLr(lr), 100, 0.9, 0.99, 1e-8, 0.1, 1.0, 500, 200, 500, 1);
    }

    /**
     * A synthetic task's recipe around its {@code steps}, {@code batch}, peak {@code lr} and {@code evalEvery}: AdamW with
     * β₂ 0.999 and no decay, the cosine floor a tenth of the peak, warm-up over a tenth of the steps (at most 100),
     * 1,000 held-out sequences per evaluation, a checkpoint at the end only.
     */
    public static TrainConfig taskDefaults(int steps, int batch, double lr, int evalEvery) {
        return new TrainConfig(steps, batch, 1, lr, defaultMinLr(lr), defaultWarmup(steps), 0.9, 0.999, 1e-8, 0.0, 1.0,
                evalEvery, 1000, 0, 1);
    }

    /** The cosine's floor when none is given: a tenth of the peak. */
    public static double defaultMinLr(double lr) {
        return lr / 10;
    }

    /** Warm-up steps when none are given for a task: a tenth of the steps, at most 100. */
    public static int defaultWarmup(int steps) {
        return Math.min(100, steps / 10);
    }

    /** Learning rate at optimiser step {@code step} (0-based): linear warmup, then cosine to {@code minLr}. */
    public double learningRate(int step) {
        if (step < warmup) {
            return lr * (step + 1) / warmup;
        }
        int span = Math.max(1, steps - warmup);
        double progress = Math.min(1.0, (double) (step - warmup) / span);
        return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * progress));
    }

    public Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", steps);
        m.put("batch", batch);
        m.put("accumulation", accumulation);
        m.put("lr", lr);
        m.put("min_lr", minLr);
        m.put("warmup", warmup);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("weight_decay", weightDecay);
        m.put("clip_norm", clipNorm);
        m.put("eval_every", evalEvery);
        m.put("eval_sequences", evalSequences);
        m.put("checkpoint_every", checkpointEvery);
        m.put("seed", seed);
        return m;
    }

    public static TrainConfig fromJson(Map<String, Object> m) {
        return new TrainConfig(i(m, "steps"), i(m, "batch"), i(m, "accumulation"), d(m, "lr"), d(m, "min_lr"),
                i(m, "warmup"), d(m, "beta1"), d(m, "beta2"), d(m, "eps"), d(m, "weight_decay"), d(m, "clip_norm"),
                i(m, "eval_every"), i(m, "eval_sequences"), i(m, "checkpoint_every"), ((Number) m.get("seed")).longValue());
    }

    private static double d(Map<String, Object> m, String k) {
        if (!(m.get(k) instanceof Number n)) {
            throw new IllegalArgumentException("train config: '" + k + "' missing or not a number");
        }
        return n.doubleValue();
    }

    private static int i(Map<String, Object> m, String k) {
        return (int) d(m, k);
    }

    /** The same run planned to {@code newSteps} steps with an evaluation every {@code newEvalEvery}. */
    public TrainConfig withSteps(int newSteps, int newEvalEvery) {
        return new TrainConfig(newSteps, batch, accumulation, lr, minLr, warmup, beta1, beta2, eps, weightDecay,
                clipNorm, newEvalEvery, evalSequences, checkpointEvery, seed);
    }

    /** The same recipe with AdamW's decoupled weight decay {@code decay}. */
    public TrainConfig withWeightDecay(double decay) {
        return new TrainConfig(steps, batch, accumulation, lr, minLr, warmup, beta1, beta2, eps, decay,
                clipNorm, evalEvery, evalSequences, checkpointEvery, seed);
    }

    /** The same recipe evaluating on {@code sequences} held-out sequences each time. */
    public TrainConfig withEvalSequences(int sequences) {
        return new TrainConfig(steps, batch, accumulation, lr, minLr, warmup, beta1, beta2, eps, weightDecay,
                clipNorm, evalEvery, sequences, checkpointEvery, seed);
    }

    /** The same recipe seeded with {@code newSeed} (weights and data order). */
    public TrainConfig withSeed(long newSeed) {
        return new TrainConfig(steps, batch, accumulation, lr, minLr, warmup, beta1, beta2, eps, weightDecay,
                clipNorm, evalEvery, evalSequences, checkpointEvery, newSeed);
    }

    public TrainConfig withSteps(int newSteps) {
        return new TrainConfig(newSteps, batch, accumulation, lr, minLr, warmup, beta1, beta2, eps, weightDecay,
                clipNorm, evalEvery, evalSequences, checkpointEvery, seed);
    }
}
