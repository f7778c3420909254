package org.pararnn.lm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.model.Architecture;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.nn.Parameter;
import org.pararnn.lm.tasks.KeepNth;

/** A NaN loss stops the run before the update and leaves the last good checkpoint in place and named. */
class DivergenceTest {
    @TempDir
    Path dir;

    @Test
    void nanLossStopsTrainingAndKeepsTheLastGoodCheckpoint() throws Exception {
        KeepNth task = new KeepNth(8, 4, 16);
        ModelConfig cfg = new ModelConfig(Architecture.CELL, 16, 16, 1, 2, "paragru", 0, 4, 8, 0.9f, 0f, 1);
        LanguageModel model = new LanguageModel(cfg).solver(RnnSolver.on(Backends.fromEnvironment().choose()).mode(Mode.AUTO));
        // On the third batch a weight turns NaN, as an overflow would make it.
        BatchSource poisoning = new BatchSource() {
            int calls;

            public int vocab() {
                return task.vocab();
            }

            public int steps() {
                return task.steps();
            }

            public void trainBatch(Rng rng, Batch into) {
                if (++calls == 3) {
                    for (Parameter p : model.parameters()) {
                        if (p.name().equals("head.weight")) {
                            p.data()[0] = Float.NaN;
                        }
                    }
                }
                task.trainBatch(rng, into);
            }

            public void heldOutBatch(Rng rng, Batch into) {
                task.heldOutBatch(rng, into);
            }

            public Map<String, Object> describe() {
                return task.describe();
            }

            public String render(int[] t, int f, int to) {
                return task.render(t, f, to);
            }
        };
        TrainConfig t = new TrainConfig(10, 4, 1, 1e-3, 1e-4, 0, 0.9, 0.999, 1e-8, 0, 1, 0, 8, 2, 1);
        AdamW adam = new AdamW(model.parameters(), 0.9, 0.999, 1e-8, 0);
        Progress p = new Progress(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), false, 10);
        Trainer trainer = new Trainer(model, poisoning, t, adam, dir, p, 0, "test");
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, trainer::run);
        assertTrue(e.getMessage().contains("at step 3") && e.getMessage().contains("step-0000002"), e.getMessage());
        assertEquals("step-0000002", Files.readString(dir.resolve("checkpoints/latest")).trim());
        LanguageModel restored = new LanguageModel(cfg);
        Checkpoint.loadWeights(Checkpoint.resolve(dir), restored);
        for (Parameter q : restored.parameters()) {
            for (float v : q.data()) {
                assertTrue(Float.isFinite(v), q.name());
            }
        }
    }
}
