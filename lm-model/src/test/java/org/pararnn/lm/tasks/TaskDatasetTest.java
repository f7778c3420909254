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
}
