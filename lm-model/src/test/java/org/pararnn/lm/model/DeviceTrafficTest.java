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
 * What one training step copies between the host and a device backend's ops, byte for byte: the batch's
 * tokens and targets in; the arg-max predictions, the loss's sums, the token and target checks' answers
 * and one sum of squares per device parameter out; and, until the solvers take device arrays, each
 * RnnBlock's cell input and output gradient out and its cell output and input gradient in. Anything else
 * crossing (an activation copied by mistake, a parameter pulled) fails this test.
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
            long cellParameters = model.parameters().stream().filter(p -> p.name().contains(".cell.")).count();
            assertEquals(model.parameters().size() - cellParameters, onDevice, "every parameter but the cells' lives on the device");
            long activation = 4L * rows * d;
            long ints = 4L * rows;
            // In: tokens and targets; per RnnBlock the cell's output and its input gradient.
            assertEquals(2 * ints + layers * 2 * activation, moved.opsToDevice(), "bytes the ops copied to the device");
            // Out: predictions; per RnnBlock the cell's input and its output gradient; four range checks (tokens twice,
            // targets twice) of 8 B, the loss's three doubles, and one double per device parameter's sum of squares.
            assertEquals(ints + layers * 2 * activation + 4 * 8 + 3 * 8 + 8 * onDevice, moved.opsFromDevice(),
                    "bytes the ops copied back");
            assertTrue(moved.solvesToDevice() > 0 && moved.solvesFromDevice() > 0, "the cells' fused solves ran on the device: " + moved);
            for (Parameter p : model.parameters()) {
                assertTrue(p.ops() == cuda.ops() || p.ops().takesHostArrays(), p.name());
            }
        }
    }
}
