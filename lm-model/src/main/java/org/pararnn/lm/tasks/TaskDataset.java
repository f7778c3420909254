package org.pararnn.lm.tasks;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.FixedHeldOut;
import org.pararnn.lm.data.Rng;

/**
 * The paper's data protocol for a {@link SyntheticTask} (docs/design.md §2, "Table 6"): a fixed training set, a
 * validation set and a test set, generated once from {@code dataSeed}, with no sequence of the validation or test
 * set equal to any training sequence (and the test set disjoint from the validation set). Training reads the
 * training set in epochs, reshuffled each time; evaluation during training reads the validation set; the test set
 * is read once, at the end, by {@link #test()}.
 */
public final class TaskDataset implements BatchSource, FixedHeldOut {
    private final SyntheticTask task;
    private final SequenceSet train;
    private final SequenceSet validation;
    private final SequenceSet test;
    private final long dataSeed;
    private final boolean prefixCurriculum;
    private final boolean relabel;
    private int[] order;
    private int cursor;

    private TaskDataset(SyntheticTask task, SequenceSet train, SequenceSet validation, SequenceSet test, long dataSeed,
                        boolean prefixCurriculum, boolean relabel) {
        this.task = task;
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.dataSeed = dataSeed;
        this.prefixCurriculum = prefixCurriculum;
        this.relabel = relabel;
    }

    /**
     * Generates the three sets. With {@code prefixCurriculum} (tasks with one final target: Parity, Keep-nth), each
     * training sequence is trained on a prefix of random length ℓ (uniform from the task's shortest prefix to L)
     * with that prefix's target as the one target: a length curriculum without a schedule; validation and test keep
     * the task's own targets.
     */
    public static TaskDataset generate(SyntheticTask task, int trainCount, int validationCount, int testCount,
                                       long dataSeed, boolean prefixCurriculum) {
        if (trainCount <= 0 || validationCount <= 0 || testCount <= 0) {
            throw new IllegalArgumentException("dataset sizes must be positive, got train " + trainCount
                    + ", validation " + validationCount + ", test " + testCount);
        }
        if (prefixCurriculum && (!(task instanceof Parity || task instanceof KeepNth)
                || task instanceof Parity p && p.everyStep())) {
            throw new IllegalArgumentException("the prefix curriculum is defined for tasks with one final target (parity"
                    + " with final-bit supervision, keep-nth), not " + task.name());
        }
        Rng rng = new Rng(dataSeed);
        Set<Long> seen = new HashSet<>();
        SequenceSet train = fill(task, rng, trainCount, seen, false, "training");
        SequenceSet validation = fill(task, rng, validationCount, seen, true, "validation");
        for (int i = 0; i < validation.count(); i++) {
            seen.add(hash(validation.tokens(), i * validation.length(), validation.length()));
        }
        SequenceSet test = fill(task, rng, testCount, seen, true, "test");
        return new TaskDataset(task, train, validation, test, dataSeed, prefixCurriculum, false);
    }

    /**
     * The same sets, with every training sequence renamed by a fresh random symmetry of the task each time it is read
     * ({@link SyntheticTask#relabel}): the 10k sequences still set every structure seen in training (positions,
     * repeats, which tokens are equal), but not which symbols fill it. Validation and test are never renamed.
     */
    public TaskDataset relabelling() {
        if (!task.relabels()) {
            throw new IllegalArgumentException(task.name() + " has no symbol renaming that keeps its answers: it cannot"
                    + " be trained with relabelling");
        }
        return new TaskDataset(task, train, validation, test, dataSeed, prefixCurriculum, true);
    }

    public boolean relabels() {
        return relabel;
    }

    /**
     * {@code count} sequences; with {@code exclude}, none whose tokens hash like a sequence in {@code seen} (a
     * 64-bit hash: equal sequences always collide, so none is ever shared; a rare false match only costs a redraw).
     * Training sequences are added to {@code seen}.
     */
    private static SequenceSet fill(SyntheticTask task, Rng rng, int count, Set<Long> seen, boolean exclude, String what) {
        SequenceSet set = new SequenceSet(count, task.steps());
        int len = task.steps();
        long redraws = 0;
        for (int i = 0; i < count; i++) {
            int off = i * len;
            while (true) {
                task.generate(rng, set.tokens(), set.targets(), off);
                long h = hash(set.tokens(), off, len);
                if (!exclude) {
                    seen.add(h);
                    break;
                }
                if (!seen.contains(h)) {
                    break;
                }
                if (++redraws > 100L * count + 10_000) {
                    throw new IllegalArgumentException(task.name() + " at length " + len + " has too few distinct sequences"
                            + " for a " + what + " set of " + count + " disjoint from the training set");
                }
            }
            task.supervise(set.tokens(), set.targets(), off, exclude);
        }
        return set;
    }

    static long hash(int[] tokens, int off, int len) {
        long h = 0x9E3779B97F4A7C15L ^ len;
        for (int i = 0; i < len; i++) {
            h += tokens[off + i] + 0x632BE59BD9B4E019L;
            h ^= h >>> 31;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 29;
        }
        return h;
    }

    public SyntheticTask task() {
        return task;
    }

    public SequenceSet training() {
        return train;
    }

    public SequenceSet validation() {
        return validation;
    }

    public SequenceSet test() {
        return test;
    }

    public boolean prefixCurriculum() {
        return prefixCurriculum;
    }

    @Override
    public int vocab() {
        return task.vocab();
    }

    @Override
    public int steps() {
        return task.steps();
    }

    /** The next {@code into.batch} training sequences of the current epoch; a new epoch reshuffles with {@code rng}. */
    @Override
    public void trainBatch(Rng rng, Batch into) {
        int len = task.steps();
        for (int r = 0; r < into.batch; r++) {
            if (order == null || cursor == order.length) {
                order = permutation(rng, train.count(), order);
                cursor = 0;
            }
            train.copy(order[cursor++], into, r);
            int off = r * len;
            if (relabel) {
                task.relabel(rng, into.tokens, into.targets, off);
            }
            if (prefixCurriculum) {
                int shortest = task.shortestPrefix();
                int ell = shortest + rng.nextInt(len - shortest + 1);
                java.util.Arrays.fill(into.targets, off, off + len, -1);
                into.targets[off + ell - 1] = task.prefixTarget(into.tokens, off, ell);
            }
        }
    }

    private static int[] permutation(Rng rng, int n, int[] reuse) {
        int[] p = reuse != null && reuse.length == n ? reuse : new int[n];
        SyntheticTask.shuffleRange(rng, p, 0, n);
        return p;
    }

    /** Validation sequences from the first, in order (whatever {@code rng}): evaluations during training see the same set. */
    @Override
    public void heldOutBatch(Rng rng, Batch into) {
        validation.batchAt(0, into);
    }

    @Override
    public int heldOutCount() {
        return validation.count();
    }

    @Override
    public int heldOutBatchAt(int first, Batch into) {
        return validation.batchAt(first, into);
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>(task.describe());
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("train", train.count());
        d.put("validation", validation.count());
        d.put("test", test.count());
        d.put("seed", dataSeed);
        d.put("prefix_curriculum", prefixCurriculum);
        d.put("relabel", relabel);
        m.put("dataset", d);
        return m;
    }

    @Override
    public String render(int[] tokens, int from, int to) {
        return task.render(tokens, from, to);
    }
}
