package org.pararnn.bench;

import java.util.Locale;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.TrainConfig;
import org.pararnn.lm.train.Shards;

/**
 * The TinyShakespeare recipe's training step (D = 128, 4 layers, 2 heads, batch 12 × 64 tokens, AdamW) run by
 * replicas side by side ({@link Shards}, {@code --shards}) against one model on all of the backend's threads,
 * in one JVM: blocks of steps alternate (ABBA) and the ratio of block medians is taken per pair, as in
 * {@link PairedTrainingSteps}. Each side has its own model; both see the same batch.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp bench/target/benchmarks.jar org.pararnn.bench.PairedShards [paragru|paralstm] [shards] [pairs]
 * </pre>
 */
public final class PairedShards {
    private static final int BATCH = RecipeStep.BATCH;
    private static final int CONTEXT = RecipeStep.CONTEXT;
    private static final int PER = 10;

    private PairedShards() {
    }

    public static void main(String[] args) {
        String cell = args.length > 0 ? args[0] : "paragru";
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int pairs = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        try (Backend engine = Backends.fromEnvironment().forcing("cpu", "PairedShards").choose()) {
            LanguageModel alone = RecipeStep.model(engine, cell);
            LanguageModel sharded = RecipeStep.model(engine, cell);
            AdamW aloneOpt = AdamW.of(alone.parameters(), TrainConfig.textDefaults());
            AdamW shardedOpt = AdamW.of(sharded.parameters(), TrainConfig.textDefaults());
            int[][] batch = RecipeStep.batch();
            int[] tokens = batch[0];
            int[] targets = batch[1];
            StringBuilder why = new StringBuilder();
            try (Shards shards = Shards.of(sharded, count, why).orElseThrow(() -> new IllegalStateException(why.toString()))) {
                Runnable one = () -> aloneOpt.trainStep(alone, tokens, targets, BATCH, CONTEXT, 1e-4);
                Runnable replicas = () -> {
                    sharded.zeroGradients();
                    shards.forwardBackward(tokens, targets, BATCH, CONTEXT);
                    double norm = AdamW.gradientNorm(sharded.parameters());
                    shardedOpt.step(1e-4, norm > 1 ? 1 / norm : 1);
                    sharded.clipRecurrent();
                };
                for (int w = 0; w < 150; w++) {
                    one.run();
                    replicas.run();
                }
                PairedTiming.Result t = PairedTiming.measure(replicas, one, pairs, PER);
                System.out.printf(Locale.ROOT, "%s training step (768 tokens) on %s: %s: median %.1f ms (%,.0f tokens/s);"
                                + " one model: median %.1f ms (%,.0f tokens/s); paired replicas / one model: median %.3f"
                                + " (quartiles %.3f, %.3f; %d pairs of %d steps)%n",
                        cell, engine.device(), shards.describe(BATCH), t.medianA(), BATCH * CONTEXT / (t.medianA() / 1e3),
                        t.medianB(), BATCH * CONTEXT / (t.medianB() / 1e3), t.ratioMedian(), t.ratioQ1(), t.ratioQ3(), pairs, PER);
            }
        }
    }
}
