package org.pararnn.lm.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backends;

/**
 * Stepping token by token with the carried O(1) state (conv history + cell state) gives the logits of
 * one forward pass over the whole sequence.
 */
class GeneratorTest {
    @ParameterizedTest
    @ValueSource(strings = {"paragru", "paralstm"})
    void steppingEqualsTheWholeSequence(String cell) {
        ModelConfig cfg = new ModelConfig(Architecture.LM, 13, 16, 2, 2, cell, 48, 4, 0, 0.5f, 0f, 3);
        LanguageModel model = new LanguageModel(cfg).solver(RnnSolver.on(Backends.fromEnvironment().choose()).mode(Mode.SEQUENTIAL));
        SplittableRandom rnd = new SplittableRandom(4);
        int steps = 11;
        int[] tokens = new int[steps];
        for (int i = 0; i < steps; i++) {
            tokens[i] = rnd.nextInt(13);
        }
        model.forward(tokens, 1, steps, null);
        float[] whole = model.logits().clone();

        List<LayerState> state = model.newState(1);
        model.forward(Arrays.copyOf(tokens, 3), 1, 3, state); // a prompt, then single tokens
        float[] stepped = new float[whole.length];
        System.arraycopy(model.logits(), 0, stepped, 0, 3 * 13);
        for (int t = 3; t < steps; t++) {
            model.forward(new int[] {tokens[t]}, 1, 1, state);
            System.arraycopy(model.logits(), 0, stepped, t * 13, 13);
        }
        for (int i = 0; i < whole.length; i++) {
            assertEquals(whole[i], stepped[i], 2e-5f * (1 + Math.abs(whole[i])), "logit " + i);
        }
        // Greedy generation is deterministic and uses that path.
        int[] a = new Generator(model, 1, 0f, 0).generate(tokens, 5);
        int[] b = new Generator(model, 2, 0f, 0).generate(tokens, 5);
        assertArrayEquals(a, b);
    }
}
