package org.pararnn.bench;

import java.util.Locale;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.backend.cpu.blas.Gemm;
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
        Gemm.setInPlaceAllowed(true);
        if (!Gemm.blasInPlace()) {
            throw new IllegalStateException("OpenBLAS in place is not available here, nothing to compare: " + Gemm.blasPath());
        }
        try (Backend engine = Backends.fromEnvironment().forcing("cpu", "PairedTrainingSteps").choose()) {
            LanguageModel model = RecipeStep.model(engine, cell);
            AdamW optimizer = AdamW.of(model.parameters(), TrainConfig.textDefaults());
            int[][] batch = RecipeStep.batch();
            int[] tokens = batch[0];
            int[] targets = batch[1];
            Runnable step = () -> optimizer.trainStep(model, tokens, targets, BATCH, CONTEXT, 1e-4);
            for (int w = 0; w < 100; w++) {
                Gemm.setInPlaceAllowed(w % 2 == 0);
                step.run();
            }
            PairedTiming.Result t = PairedTiming.measure(() -> {
                Gemm.setInPlaceAllowed(true);
                step.run();
            }, () -> {
                Gemm.setInPlaceAllowed(false);
                step.run();
            }, pairs, PER);
            Gemm.setInPlaceAllowed(true);
            System.out.printf(Locale.ROOT, "%s training step (768 tokens): in place median %.1f ms, copies median %.1f ms;"
                            + " paired in place / copies: median %.3f (quartiles %.3f, %.3f; %d pairs of %d steps)%n",
                    cell, t.medianA(), t.medianB(), t.ratioMedian(), t.ratioQ1(), t.ratioQ3(), pairs, PER);
        }
    }
}
