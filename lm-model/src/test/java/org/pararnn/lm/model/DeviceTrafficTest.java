package org.pararnn.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.nn.Parameter;
import org.pararnn.lm.train.AdamW;

/**
 * What one training step copies between the host and a device backend, byte for byte: the batch's tokens
 * and targets in; the arg-max predictions, the loss's sums, the token and target checks' answers and one sum
 * of squares per parameter out; and per cell solve one 8-byte status word (the first non-finite value, if
 * any) out. Every parameter, the cells' included, lives on the device. Anything else crossing (an
 * activation copied by mistake, a parameter pulled) fails this test.
 */
class DeviceTrafficTest {

    @Test
    void aTrainingStepOnTheCudaOpsMovesOnlyWhatItMust() {
        Backends all = Backends.fromEnvironment();
        org.junit.jupiter.api.Assumptions.assumeTrue(all.survey().stream()
                .anyMatch(pr -> pr.name().equals("cuda-emulated") && pr.available()), "cuda-emulated is unavailable here");
        try (Backend cuda = all.forcing("cuda-emulated", "DeviceTrafficTest").choose()) {
            int vocab = 11;
            int d = 16;
            int layers = 2;
            int batch = 2;
            int steps = 9;
            int rows = batch * steps;
            LanguageModel model = new LanguageModel(ModelConfig.languageModel(vocab, d, layers, 2, "paragru", 5))
                    .solver(RnnSolver.on(cuda).mode(Mode.AUTO));
            AdamW adam = new AdamW(model.parameters(), 0.9, 0.99, 1e-8, 0.1);
            int[] tokens = new int[rows];
            int[] targets = new int[rows];
            for (int i = 0; i < rows; i++) {
                tokens[i] = (3 * i) % vocab;
                targets[i] = i % 4 == 0 ? -1 : (5 * i + 2) % vocab;
            }
            Runnable step = () -> adam.trainStep(model, tokens, targets, batch, steps, 1e-3);
            step.run();
            Backend.DeviceTraffic before = cuda.traffic().orElseThrow();
            step.run();
            Backend.DeviceTraffic moved = cuda.traffic().orElseThrow().since(before);
            long onDevice = model.parameters().stream().filter(p -> p.ops() == cuda.ops()).count();
            assertEquals(model.parameters().size(), onDevice, "every parameter, the cells' included, lives on the device");
            long ints = 4L * rows;
            assertEquals(2 * ints, moved.opsToDevice(), "bytes the ops copied to the device: tokens and targets");
            // Out: predictions; four range checks (tokens twice, targets twice) of 8 B, the loss's three doubles, and one
            // double per parameter's sum of squares.
            assertEquals(ints + 4 * 8 + 3 * 8 + 8 * onDevice, moved.opsFromDevice(), "bytes the ops copied back");
            assertEquals(0, moved.solvesToDevice(), "the cells' solves copy nothing to the device");
            // Each RnnBlock's forward and backward: one status word (index and value of a first non-finite, if any).
            assertEquals(layers * 2 * 8, moved.solvesFromDevice(), "bytes the cells' solves copied back");
            for (Parameter p : model.parameters()) {
                assertTrue(p.ops() == cuda.ops(), p.name());
            }
        }
    }
}
