package org.pararnn.lm.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.Loss;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.nn.Parameter;

/**
 * Replicas side by side ({@link Shards}) on the real {@code cpu} backend against the model alone: the same loss
 * and gradient (float rounding apart: the sums run in another order), targets counted unevenly across the
 * shards included, the same bits every time, and an optimiser step seen by the replicas.
 */
class ShardsTest {
    private static final Backend CPU = Backends.fromEnvironment().forcing("cpu", "ShardsTest").choose();
    private static final int BATCH = 6;
    private static final int STEPS = 24;

    @AfterAll
    static void close() {
        CPU.close();
    }

    private static LanguageModel model(String cell) {
        return new LanguageModel(ModelConfig.languageModel(17, 32, 2, 2, cell, 5)).solver(RnnSolver.on(CPU).mode(Mode.AUTO));
    }

    /** Tokens, and targets of which only some positions count: shard 0 of 3 has most, shard 2 none. */
    private static int[][] batch(long seed) {
        Random r = new Random(seed);
        int[] tokens = new int[BATCH * STEPS];
        int[] targets = new int[BATCH * STEPS];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(17);
            int row = i / STEPS;
            boolean counted = row < 2 ? r.nextInt(4) != 0 : row < 4 && r.nextInt(3) == 0;
            targets[i] = counted ? r.nextInt(17) : -1;
        }
        return new int[][] {tokens, targets};
    }

    private static Shards shards(LanguageModel m, int count) {
        StringBuilder why = new StringBuilder();
        return Shards.of(m, count, why).orElseThrow(() -> new AssertionError(why.toString()));
    }

    /** Largest |a − b| over every parameter's gradient, relative to the largest |a|. */
    private static double gradientGap(LanguageModel a, LanguageModel b) {
        double gap = 0;
        double scale = 0;
        List<Parameter> pa = a.parameters();
        List<Parameter> pb = b.parameters();
        for (int i = 0; i < pa.size(); i++) {
            float[] ga = pa.get(i).gradData();
            float[] gb = pb.get(i).gradData();
            for (int j = 0; j < ga.length; j++) {
                gap = Math.max(gap, Math.abs(ga[j] - gb[j]));
                scale = Math.max(scale, Math.abs(ga[j]));
            }
        }
        return gap / scale;
    }

    @Test
    void theShardsGradientIsTheWholeBatchsGradient() {
        for (String cell : new String[] {"paragru", "paralstm"}) {
            for (int count : new int[] {2, 3}) {
                int[][] b = batch(count);
                LanguageModel alone = model(cell);
                LanguageModel sharded = model(cell);
                alone.zeroGradients();
                Loss want = alone.forward(b[0], b[1], BATCH, STEPS);
                alone.backward();
                try (Shards s = shards(sharded, count)) {
                    sharded.zeroGradients();
                    Loss got = s.forwardBackward(b[0], b[1], BATCH, STEPS);
                    assertEquals(want.counted(), got.counted());
                    assertEquals(want.correct(), got.correct());
                    assertEquals(want.sequences(), got.sequences());
                    assertEquals(want.exact(), got.exact());
                    assertEquals(want.crossEntropy(), got.crossEntropy(), 1e-6 * want.crossEntropy(), cell + " " + count);
                    assertEquals(want.total(), got.total(), 1e-6 * want.total(), cell + " " + count);
                    double gap = gradientGap(alone, sharded);
                    assertTrue(gap < 1e-5, cell + " with " + count + " shards: gradients differ by " + gap + " of the largest");
                    assertEquals(2 * count, s.lastSolves().solves(), "every replica's two cell layers solved");
                }
            }
        }
    }

    /** The gradient's own scale, to show the comparison above can fail: one shard's weight dropped is far out. */
    @Test
    void aShardLeftOutIsFarFromTheWholeBatch() {
        int[][] b = batch(2);
        LanguageModel alone = model("paragru");
        alone.zeroGradients();
        alone.forward(b[0], b[1], BATCH, STEPS);
        alone.backward();
        LanguageModel half = model("paragru");
        half.zeroGradients();
        int rows = BATCH / 2 * STEPS;
        half.forward(java.util.Arrays.copyOf(b[0], rows), java.util.Arrays.copyOf(b[1], rows), BATCH / 2, STEPS);
        half.backward();
        assertTrue(gradientGap(alone, half) > 1e-2, "gap " + gradientGap(alone, half));
    }

    @Test
    void theSameBitsEveryTimeAndAfterAnUpdate() {
        int[][] b = batch(7);
        float[][] first = null;
        for (int run = 0; run < 2; run++) {
            LanguageModel m = model("paragru");
            LanguageModel alone = model("paragru");
            AdamW opt = new AdamW(m.parameters(), 0.9, 0.99, 1e-8, 0.1);
            AdamW optAlone = new AdamW(alone.parameters(), 0.9, 0.99, 1e-8, 0.1);
            try (Shards s = shards(m, 2)) {
                for (int step = 0; step < 3; step++) {
                    m.zeroGradients();
                    s.forwardBackward(b[0], b[1], BATCH, STEPS);
                    opt.step(1e-2, 1);
                    alone.zeroGradients();
                    alone.forward(b[0], b[1], BATCH, STEPS);
                    alone.backward();
                    optAlone.step(1e-2, 1);
                }
                // After three updates the replicas still compute the model's gradient: they read its new values.
                m.zeroGradients();
                s.forwardBackward(b[0], b[1], BATCH, STEPS);
                alone.zeroGradients();
                alone.forward(b[0], b[1], BATCH, STEPS);
                alone.backward();
                assertTrue(gradientGap(alone, m) < 1e-3, "after updates: " + gradientGap(alone, m));
            }
            float[][] grads = m.parameters().stream().map(p -> p.gradData().clone()).toArray(float[][]::new);
            if (first == null) {
                first = grads;
            } else {
                for (int i = 0; i < grads.length; i++) {
                    assertArrayEquals(first[i], grads[i], "run 2 differs in " + m.parameters().get(i).name());
                }
            }
        }
    }

    @Test
    void badUseIsRefusedNamingTheProblem() {
        LanguageModel m = model("paragru");
        try (Shards s = shards(m, 4)) {
            int[][] b = batch(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.forwardBackward(b[0], b[1], BATCH, STEPS));
            assertTrue(e.getMessage().contains("6 sequences does not divide into 4 shards"), e.getMessage());
        }
        try (Backend reference = Backends.fromEnvironment().forcing("reference", "ShardsTest").choose()) {
            LanguageModel r = new LanguageModel(ModelConfig.languageModel(17, 32, 1, 2, "paragru", 5))
                    .solver(RnnSolver.on(reference));
            StringBuilder why = new StringBuilder();
            assertTrue(Shards.of(r, 2, why).isEmpty());
            assertTrue(why.toString().contains("backend reference cannot divide its threads"), why.toString());
            assertEquals(1, Shards.automatic(r, 12));
        }
        assertEquals(Math.min(CPU.loop().parallelism(), 2) > 1 ? 2 : 1, Shards.automatic(m, 2), "never more shards than sequences");
        assertThrows(IllegalArgumentException.class, () -> Shards.of(m, 0, new StringBuilder()));
    }
}
