package org.pararnn.lm.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.Rng;

/** Each task's targets recomputed from its definition, and held-out data disjoint from training data. */
class SyntheticTaskTest {
    private static Batch draw(SyntheticTask task, boolean heldOut, int n, long seed) {
        Batch b = new Batch(n, task.steps());
        if (heldOut) {
            task.heldOutBatch(new Rng(seed), b);
        } else {
            task.trainBatch(new Rng(seed), b);
        }
        return b;
    }

    /** As {@link #draw}, then every sequence renamed by the task's {@link SyntheticTask#relabel} when {@code renamed}. */
    private static Batch draw(SyntheticTask task, int n, long seed, boolean renamed) {
        Batch b = draw(task, false, n, seed);
        if (renamed) {
            Rng rng = new Rng(seed + 100);
            int[] before = b.tokens.clone();
            for (int s = 0; s < n; s++) {
                task.relabel(rng, b.tokens, b.targets, s * task.steps());
            }
            assertFalse(Arrays.equals(before, b.tokens), "renaming changes symbols");
        }
        return b;
    }

    @Test
    void parityTargetsTheSumModTwoAtTheEnd() {
        Batch b = draw(new Parity(13), false, 50, 1);
        for (int s = 0; s < 50; s++) {
            int sum = 0;
            for (int t = 0; t < 13; t++) {
                int tok = b.tokens[s * 13 + t];
                assertTrue(tok == 0 || tok == 1);
                sum += tok;
                assertEquals(t == 12 ? sum % 2 : -1, b.targets[s * 13 + t]);
            }
        }
    }

    /**
     * Parity trained on every prefix: training sequences target the running parity at each step, held-out
     * ones only the final bit (the task as judged); the choice survives the checkpoint description, and
     * the other tasks refuse it.
     */
    @Test
    void parityCanTrainOnTheRunningParityButIsJudgedOnTheFinalBit() throws java.io.IOException {
        Parity task = new Parity(13, true);
        Batch train = draw(task, false, 50, 1);
        Batch held = draw(task, true, 50, 2);
        for (int s = 0; s < 50; s++) {
            int sumTrain = 0;
            int sumHeld = 0;
            for (int t = 0; t < 13; t++) {
                sumTrain += train.tokens[s * 13 + t];
                sumHeld += held.tokens[s * 13 + t];
                assertEquals(sumTrain % 2, train.targets[s * 13 + t]);
                assertEquals(t == 12 ? sumHeld % 2 : -1, held.targets[s * 13 + t]);
            }
        }
        var again = (Parity) org.pararnn.lm.data.Sources.fromDescription(task.describe());
        assertTrue(again.everyStep());
        assertFalse(((Parity) org.pararnn.lm.data.Sources.fromDescription(new Parity(13).describe())).everyStep());
        String why = assertThrows(IllegalArgumentException.class, () -> SyntheticTask.create("keep-nth", 20, true))
                .getMessage();
        assertTrue(why.contains("parity only"), why);
    }

    /** The task's rule holds of drawn sequences and of drawn sequences renamed by {@link SyntheticTask#relabel}. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void keepNthTargetsTheNthSymbol(boolean renamed) {
        Batch b = draw(new KeepNth(20, 7, 16), 50, 2, renamed);
        for (int s = 0; s < 50; s++) {
            for (int t = 0; t < 19; t++) {
                assertEquals(-1, b.targets[s * 20 + t]);
            }
            assertEquals(b.tokens[s * 20 + 6], b.targets[s * 20 + 19]);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void mqarQueriesEveryKeyOnceAndTargetsItsValue(boolean renamed) {
        int pairs = 5;
        Batch b = draw(new Mqar(24, pairs, 16, 16), 40, 3, renamed);
        for (int s = 0; s < 40; s++) {
            int off = s * 24;
            int[] value = new int[16];
            Arrays.fill(value, -1);
            for (int p = 0; p < pairs; p++) {
                int k = b.tokens[off + 2 * p];
                assertTrue(k < 16 && value[k] == -1, "keys are distinct");
                value[k] = b.tokens[off + 2 * p + 1];
                assertTrue(value[k] >= 16 && value[k] < 32);
            }
            Set<Integer> queried = new HashSet<>();
            for (int t = 2 * pairs; t < 24; t++) {
                int tok = b.tokens[off + t];
                if (tok == 32) {
                    assertEquals(-1, b.targets[off + t]);
                } else {
                    assertTrue(queried.add(tok), "each key queried once");
                    assertEquals(value[tok], b.targets[off + t]);
                }
            }
            assertEquals(pairs, queried.size());
        }
    }

    /** k-hop by brute force: search backwards for the previous occurrence, k times. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void kHopMatchesABruteForceSearch(boolean renamed) {
        for (int hops = 1; hops <= 2; hops++) {
            Batch b = draw(new KHop(40, hops, 6), 30, 4 + hops, renamed);
            int defined = 0;
            KHop task = new KHop(40, hops, 6);
            int[] distances = new int[40];
            for (int s = 0; s < 30; s++) {
                int off = s * 40;
                task.answerDistances(b.tokens, off, distances);
                for (int t = 0; t < 40; t++) {
                    int p = t;
                    for (int h = 0; h < hops && p >= 0; h++) {
                        int q = p - 1;
                        while (q >= 0 && b.tokens[off + q] != b.tokens[off + p]) {
                            q--;
                        }
                        p = q < 0 ? -1 : q + 1;
                    }
                    assertEquals(p < 0 ? -1 : b.tokens[off + p], b.targets[off + t], "hops " + hops + " t " + t);
                    assertEquals(p < 0 ? -1 : t - p, distances[t], "distance back to the answer, hops " + hops + " t " + t);
                    defined += p < 0 ? 0 : 1;
                }
            }
            assertTrue(defined > 30 * 20, "most positions have an answer");
        }
    }

    @Test
    void parityHasNoRenamingThatKeepsItsAnswers() {
        Parity p = new Parity(10);
        assertFalse(p.relabels());
        assertThrows(UnsupportedOperationException.class, () -> p.relabel(new Rng(1), new int[10], new int[10], 0));
    }

    @Test
    void heldOutSequencesAreNeverTrainingSequences() {
        Parity task = new Parity(10); // 1024 possible sequences: overlap would be certain without the split
        Set<String> train = new HashSet<>();
        Batch b = draw(task, false, 4000, 9);
        for (int s = 0; s < 4000; s++) {
            train.add(Arrays.toString(Arrays.copyOfRange(b.tokens, s * 10, s * 10 + 10)));
        }
        Batch h = draw(task, true, 500, 10);
        Set<String> held = new HashSet<>();
        for (int s = 0; s < 500; s++) {
            String seq = Arrays.toString(Arrays.copyOfRange(h.tokens, s * 10, s * 10 + 10));
            held.add(seq);
            assertFalse(train.contains(seq), "held-out sequence " + seq + " appeared in training");
        }
        assertTrue(train.size() > 800 && held.size() > 60, "both sides cover their part of the space");
    }

    @Test
    void badTaskSettingsAreRejectedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SyntheticTask.create("copy", 10))
                .getMessage().contains("unknown task 'copy'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new KeepNth(5, 9, 4)).getMessage().contains("n must be"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Mqar(10, 8, 16, 16)).getMessage().contains("pairs"));
        // 16 parity sequences of length 4: too few to hold some out (used to spin forever at the first evaluation).
        String m = assertThrows(IllegalArgumentException.class, () -> SyntheticTask.create("parity", 4)).getMessage();
        assertTrue(m.contains("parity at length 4 has too few distinct sequences") && m.contains("longer --length"), m);
        SyntheticTask.create("parity", 8); // 256 sequences: both sides exist
    }
}
