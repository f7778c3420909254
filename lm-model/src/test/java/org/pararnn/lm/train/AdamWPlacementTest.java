package org.pararnn.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.nn.Parameter;

/**
 * An optimiser made before its model is given a device backend follows the parameters there: two steps give
 * the bits of an optimiser made after, moments included.
 */
class AdamWPlacementTest {

    @Test
    void anOptimiserMadeBeforeThePlacementFollowsTheParameters() {
        Backends all = Backends.fromEnvironment();
        org.junit.jupiter.api.Assumptions.assumeTrue(all.survey().stream()
                .anyMatch(pr -> pr.name().equals("cuda-emulated") && pr.available()), "cuda-emulated is unavailable here");
        try (Backend cuda = all.forcing("cuda-emulated", "AdamWPlacementTest").choose()) {
            ModelConfig cfg = ModelConfig.languageModel(11, 16, 1, 2, "paragru", 3);
            LanguageModel early = new LanguageModel(cfg);
            AdamW before = new AdamW(early.parameters(), 0.9, 0.99, 1e-8, 0.1);
            early.solver(RnnSolver.on(cuda).mode(Mode.AUTO));
            LanguageModel late = new LanguageModel(cfg).solver(RnnSolver.on(cuda).mode(Mode.AUTO));
            AdamW after = new AdamW(late.parameters(), 0.9, 0.99, 1e-8, 0.1);
            int[] tokens = new int[2 * 9];
            int[] targets = new int[2 * 9];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = (i * 5) % 11;
                targets[i] = (i * 7 + 1) % 11;
            }
            for (int step = 0; step < 2; step++) {
                for (var pair : List.of(new Object[] {early, before}, new Object[] {late, after})) {
                    LanguageModel m = (LanguageModel) pair[0];
                    m.zeroGradients();
                    m.forward(tokens, targets, 2, 9);
                    m.backward();
                    ((AdamW) pair[1]).step(1e-2, 1);
                    m.clipRecurrent();
                }
            }
            early.pullParameters();
            late.pullParameters();
            before.pull();
            after.pull();
            for (int i = 0; i < early.parameters().size(); i++) {
                Parameter p = early.parameters().get(i);
                assertArrayEquals(late.parameters().get(i).data(), p.data(), p.name());
            }
            for (int i = 0; i < before.state().size(); i++) {
                assertArrayEquals(after.state().get(i).data(), before.state().get(i).data(), before.state().get(i).name());
            }
        }
    }
}
