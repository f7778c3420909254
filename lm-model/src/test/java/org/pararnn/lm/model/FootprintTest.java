package org.pararnn.lm.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FootprintTest {
    /** The estimate counts parameters exactly as the model allocates them, for every architecture and cell. */
    @Test
    void parameterCountIsExact() {
        for (String cell : CellKinds.names()) {
            ModelConfig lm = ModelConfig.languageModel(65, 32, 3, 4, cell, 1);
            assertEquals(new LanguageModel(lm).parameterCount(), Footprint.parameterCount(lm), "lm " + cell);
            ModelConfig alone = new ModelConfig(Architecture.CELL, 17, 24, 1, 3, cell, 0, 4, 40, 0.9f, 0f, 1);
            assertEquals(new LanguageModel(alone).parameterCount(), Footprint.parameterCount(alone), "cell " + cell);
            ModelConfig block = new ModelConfig(Architecture.BLOCK, 17, 24, 1, 3, cell, 0, 4, 0, 0.9f, 0f, 1);
            assertEquals(new LanguageModel(block).parameterCount(), Footprint.parameterCount(block), "block " + cell);
            ModelConfig fixed = new ModelConfig(Architecture.CELL, 17, 24, 1, 3, cell, 0, 4, 40, 0.9f, 0f, 1, 0f,
                    PositionEncoding.SINUSOIDAL);
            assertEquals(new LanguageModel(fixed).parameterCount(), Footprint.parameterCount(fixed), "sinusoidal " + cell);
        }
    }

    @Test
    void activationsGrowWithTheBatchAndAnAbsurdShapeSaturates() {
        ModelConfig lm = ModelConfig.languageModel(65, 128, 4, 2, "paragru", 1);
        Footprint one = Footprint.of(lm, 1, 64, true);
        Footprint twelve = Footprint.of(lm, 12, 64, true);
        assertEquals(12 * one.activationBytes(), twelve.activationBytes());
        assertEquals(one.parameterBytes(), one.optimizerBytes());
        assertEquals(0, Footprint.of(lm, 1, 64, false).optimizerBytes());
        Footprint absurd = Footprint.of(lm, Integer.MAX_VALUE, Integer.MAX_VALUE, true);
        assertEquals(Long.MAX_VALUE, absurd.totalBytes());
        assertTrue(Footprint.bytes(3L << 40).equals("3.0 TiB"), Footprint.bytes(3L << 40));
    }

    /** On a backend whose ops keep activations in device memory, the heap holds only the batch's tokens and targets. */
    @Test
    void activationsInDeviceMemoryDoNotCountAgainstTheHeap() {
        ModelConfig lm = ModelConfig.languageModel(65, 1024, 8, 1, "paragru", 1);
        Footprint heap = Footprint.of(lm, 16, 1024, true, true);
        Footprint device = Footprint.of(lm, 16, 1024, true, false);
        assertEquals(16L * 1024 * 2 * 4, device.activationBytes(), "tokens and targets, 4 B each");
        assertEquals(heap.parameterBytes() + heap.optimizerBytes(), device.parameterBytes() + device.optimizerBytes());
        assertTrue(heap.activationBytes() > 1000 * device.activationBytes(), heap + " vs " + device);
    }
}
