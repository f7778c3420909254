package org.pararnn.bench;

import java.util.Random;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;

/**
 * The TinyShakespeare recipe's training step as the paired step benchmarks build it: the model (D = 128, 4 layers,
 * 2 heads, a 65-symbol vocabulary) on a backend in AUTO mode, and a fixed random batch of 12 × 64 tokens.
 */
final class RecipeStep {
    static final int VOCAB = 65;
    static final int BATCH = 12;
    static final int CONTEXT = 64;

    private RecipeStep() {
    }

    static LanguageModel model(Backend engine, String cell) {
        return new LanguageModel(ModelConfig.languageModel(VOCAB, 128, 4, 2, cell, 1)).solver(RnnSolver.on(engine).mode(Mode.AUTO));
    }

    /** {@code {tokens, targets}}, each {@code BATCH × CONTEXT}, from seed 1. */
    static int[][] batch() {
        int[] tokens = new int[BATCH * CONTEXT];
        int[] targets = new int[BATCH * CONTEXT];
        Random r = new Random(1);
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(VOCAB);
            targets[i] = r.nextInt(VOCAB);
        }
        return new int[][] {tokens, targets};
    }
}
