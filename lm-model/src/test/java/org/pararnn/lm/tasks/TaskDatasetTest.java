package org.pararnn.lm.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.data.Sources;

class TaskDatasetTest {
    private static Set<String> sequences(SequenceSet set) {
        Set<String> s = new HashSet<>();
        Batch b = new Batch(1, set.length());
        for (int i = 0; i < set.count(); i++) {
            set.copy(i, b, 0);
            s.add(Arrays.toString(b.tokens));
        }
        return s;
    }

    /** 2-hop over 5 symbols at length 6: 15,625 sequences, so the three sets meet unless kept apart. */
    @Test
    void testAndValidationNeverRepeatATrainingSequenceEvenInASmallSpace() {
        TaskDataset d = TaskDataset.generate(new KHop(6, 2, 5), 3_000, 500, 4_000, 11, false);
        Set<String> train = sequences(d.training());
        Set<String> validation = sequences(d.validation());
        Set<String> test = sequences(d.test());
        assertTrue(train.size() > 2_000, "training draws are independent: few repeat");
        for (String s : validation) {
            assertFalse(train.contains(s), "validation sequence in the training set: " + s);
        }
        for (String s : test) {
            assertFalse(train.contains(s), "test sequence in the training set: " + s);
            assertFalse(validation.contains(s), "test sequence in the validation set: " + s);
        }
        assertEquals(4_000, d.test().count());
    }

    @Test
    void refusesASetTheSpaceCannotHoldApart() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskDataset.generate(new Parity(3), 50, 10, 10, 1, false));
        assertTrue(e.getMessage().contains("too few distinct sequences"), e.getMessage());
    }

    @Test
    void aCheckpointsDescriptionRegeneratesTheSameSets() throws Exception {
        TaskDataset d = TaskDataset.generate(new KeepNth(20, 5, 32), 200, 50, 300, 7, true);
        BatchSource again = Sources.fromDescription(d.describe());
        TaskDataset e = (TaskDataset) again;
        assertTrue(e.prefixCurriculum());
        Batch x = new Batch(300, 20);
        Batch y = new Batch(300, 20);
        d.test().batchAt(0, x);
        e.test().batchAt(0, y);
        assertArrayEquals(x.tokens, y.tokens);
        assertArrayEquals(x.targets, y.targets);
    }

    /** The curriculum's one target is the prefix's own answer, at the prefix's last step, and covers every length. */
    @Test
    void prefixCurriculumTargetsArePrefixAnswers() {
        TaskDataset parity = TaskDataset.generate(new Parity(40), 500, 20, 20, 3, true);
        TaskDataset keep = TaskDataset.generate(new KeepNth(40, 5, 16), 500, 20, 20, 3, true);
        Rng rng = new Rng(5);
        Batch b = new Batch(50, 40);
        Set<Integer> lengths = new HashSet<>();
        for (int round = 0; round < 40; round++) {
            parity.trainBatch(rng, b);
            for (int r = 0; r < b.batch; r++) {
                int at = single(b, r);
                int sum = 0;
                for (int t = 0; t <= at; t++) {
                    sum += b.tokens[r * 40 + t];
                }
                assertEquals(sum & 1, b.targets[r * 40 + at]);
                lengths.add(at + 1);
            }
            keep.trainBatch(rng, b);
            for (int r = 0; r < b.batch; r++) {
                int at = single(b, r);
                assertTrue(at >= 4, "keep-nth prefixes are at least n long");
                assertEquals(b.tokens[r * 40 + 4], b.targets[r * 40 + at]);
            }
        }
        assertEquals(40, lengths.size(), "every prefix length from 1 to L is drawn");
        // Held-out sets keep the task's own target: the final step only.
        Batch v = new Batch(20, 40);
        parity.heldOutBatchAt(0, v);
        for (int r = 0; r < 20; r++) {
            assertEquals(39, single(v, r));
        }
    }

    private static int single(Batch b, int r) {
        int at = -1;
        for (int t = 0; t < b.steps; t++) {
            if (b.targets[r * b.steps + t] >= 0) {
                assertEquals(-1, at, "one target per sequence");
                at = t;
            }
        }
        assertTrue(at >= 0, "a target per sequence");
        return at;
    }

    @Test
    void theCurriculumIsRefusedWhereATaskHasNoSingleFinalTarget() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskDataset.generate(new Mqar(40, 2, 8, 8), 10, 10, 10, 1, true));
        assertTrue(e.getMessage().contains("mqar"), e.getMessage());
    }

    /** An epoch reads every training sequence once before any repeats. */
    @Test
    void trainingReadsWholeEpochs() {
        TaskDataset d = TaskDataset.generate(new KeepNth(12, 3, 64), 64, 8, 8, 9, false);
        Set<String> all = sequences(d.training());
        Set<String> epoch = new HashSet<>();
        Batch b = new Batch(16, 12);
        Rng rng = new Rng(1);
        for (int i = 0; i < 4; i++) {
            d.trainBatch(rng, b);
            for (int r = 0; r < 16; r++) {
                epoch.add(Arrays.toString(Arrays.copyOfRange(b.tokens, r * 12, r * 12 + 12)));
            }
        }
        assertEquals(all, epoch);
    }

    /**
     * Relabelling renames each training sequence as it is read, a bijection of the symbols per sequence (MQAR: keys to
     * keys, values to values), and leaves validation and test as generated; a checkpoint's description keeps it.
     */
    @Test
    void relabellingRenamesTrainingSequencesOnly() throws Exception {
        Mqar task = new Mqar(30, 2, 8, 7);
        TaskDataset plain = TaskDataset.generate(task, 32, 16, 16, 4, false);
        TaskDataset renamed = plain.relabelling();
        assertTrue(renamed.relabels());
        Batch a = new Batch(32, 30);
        Batch b = new Batch(32, 30);
        plain.trainBatch(new Rng(3), a);
        renamed.trainBatch(new Rng(3), b);
        int changed = 0;
        for (int r = 0; r < 32; r++) {
            int[] map = new int[16];
            Arrays.fill(map, -1);
            boolean same = true;
            // A training draw of the renamed set is some stored training sequence, renamed consistently.
            int match = -1;
            for (int i = 0; i < 32 && match < 0; i++) {
                Batch one = new Batch(1, 30);
                plain.training().copy(i, one, 0);
                if (renaming(one.tokens, 0, b.tokens, r * 30, 30, map)) {
                    match = i;
                }
            }
            assertTrue(match >= 0, "sequence " + r + " is a renamed training sequence");
            for (int t = 0; t < 30; t++) {
                int tok = b.tokens[r * 30 + t];
                same &= tok == a.tokens[r * 30 + t];
                if (b.targets[r * 30 + t] >= 0) {
                    assertTrue(b.targets[r * 30 + t] >= 8 && b.targets[r * 30 + t] < 15, "a target is a value");
                }
            }
            changed += same ? 0 : 1;
        }
        assertTrue(changed > 28, "nearly every sequence renamed: " + changed);
        Batch v = new Batch(16, 30);
        Batch w = new Batch(16, 30);
        plain.heldOutBatchAt(0, v);
        renamed.heldOutBatchAt(0, w);
        assertArrayEquals(v.tokens, w.tokens);
        assertTrue(((TaskDataset) Sources.fromDescription(renamed.describe())).relabels());
        assertFalse(((TaskDataset) Sources.fromDescription(plain.describe())).relabels());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskDataset.generate(new Parity(30), 32, 16, 16, 4, false).relabelling());
        assertTrue(e.getMessage().contains("parity"), e.getMessage());
    }

    /** Whether {@code y} is {@code x} under one bijection of symbols that keeps keys (below 8) apart from the rest. */
    private static boolean renaming(int[] x, int xo, int[] y, int yo, int n, int[] map) {
        Arrays.fill(map, -1);
        int[] inverse = new int[map.length];
        Arrays.fill(inverse, -1);
        for (int t = 0; t < n; t++) {
            int from = x[xo + t];
            int to = y[yo + t];
            if ((from < 8) != (to < 8) || (from == 15) != (to == 15)) {
                return false;
            }
            if ((map[from] >= 0 && map[from] != to) || (inverse[to] >= 0 && inverse[to] != from)) {
                return false;
            }
            map[from] = to;
            inverse[to] = from;
        }
        return true;
    }
}
