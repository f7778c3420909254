package org.pararnn.bench;

import java.util.Locale;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.ops.HostGemm;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.TrainConfig;

/**
 * The training step of {@link TrainingStepBenchmark} with OpenBLAS on the Java arrays in place against
 * the copying path, side by side in one JVM: blocks of steps alternate between the two (ABBA order) and
 * the ratio of block medians is taken per pair, which cancels the drift of a shared machine that
 * separate JMH forks measure as much as the change (see {@link PairedSolves}).
 *
 * <pre>
 * OPENBLAS_THREAD_TIMEOUT=4 java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp bench/target/benchmarks.jar org.pararnn.bench.PairedTrainingSteps [paragru|paralstm] [pairs]
 * </pre>
 */
public final class PairedTrainingSteps {
    private static final int BATCH = RecipeStep.BATCH;
    private static final int CONTEXT = RecipeStep.CONTEXT;
    private static final int PER = 10;

    private PairedTrainingSteps() {
    }

    public static void main(String[] args) {
        String cell = args.length > 0 ? args[0] : "paragru";
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        // One backend per path, each made with its products' option; the two models start from the same weights.
        try (Backend inPlace = withProducts("cpu", true, "PairedTrainingSteps");
             Backend copies = withProducts("cpu", false, "PairedTrainingSteps")) {
            LanguageModel modelA = RecipeStep.model(inPlace, cell);
            LanguageModel modelB = RecipeStep.model(copies, cell);
            AdamW optimizerA = AdamW.of(modelA.parameters(), TrainConfig.textDefaults());
            AdamW optimizerB = AdamW.of(modelB.parameters(), TrainConfig.textDefaults());
            int[][] batch = RecipeStep.batch();
            int[] tokens = batch[0];
            int[] targets = batch[1];
            Runnable stepA = () -> optimizerA.trainStep(modelA, tokens, targets, BATCH, CONTEXT, 1e-4);
            Runnable stepB = () -> optimizerB.trainStep(modelB, tokens, targets, BATCH, CONTEXT, 1e-4);
            for (int w = 0; w < 50; w++) {
                stepA.run();
                stepB.run();
            }
            PairedTiming.Result t = PairedTiming.measure(stepA, stepB, pairs, PER);
            System.out.printf(Locale.ROOT, "%s training step (768 tokens): in place median %.1f ms, copies median %.1f ms;"
                            + " paired in place / copies: median %.3f (quartiles %.3f, %.3f; %d pairs of %d steps)%n",
                    cell, t.medianA(), t.medianB(), t.ratioMedian(), t.ratioQ1(), t.ratioQ3(), pairs, PER);
        }
    }

    /**
     * Backend {@code name} made with this JVM's options and OpenBLAS in place on or off ({@link HostGemm#BLAS_IN_PLACE});
     * in place asked for but not possible here is an error naming why, from the ops' own description.
     */
    static Backend withProducts(String name, boolean inPlace, String by) {
        Backends found = Backends.fromEnvironment();
        Backend engine = found.withOptions(found.options().with(HostGemm.BLAS_IN_PLACE, inPlace)).forcing(name, by).choose();
        String ops = engine.ops().describe();
        if (inPlace && !ops.contains("on the Java arrays in place")) {
            engine.close();
            throw new IllegalStateException("OpenBLAS in place is not available here, nothing to compare: " + ops);
        }
        return engine;
    }
}
