package org.pararnn.lm.tasks;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Rng;

/**
 * A state-tracking task generated on the fly (docs/design.md §2). Training and held-out sequences are disjoint
 * by construction: a sequence is held out exactly when a hash of its tokens falls in one tenth of the
 * range, and each side rejects the other's, so accuracy is measured on sequences never trained on even
 * when the space of sequences is small.
 */
public abstract class SyntheticTask implements BatchSource {
    protected final int length;

    protected SyntheticTask(int length) {
        if (length < 2) {
            throw new IllegalArgumentException("task length must be at least 2, got " + length);
        }
        this.length = length;
    }

    /** The task's name as given to {@code --task}. */
    public abstract String name();

    /** One line saying what the model must do. */
    public abstract String explain();

    /** Writes one sequence's inputs and targets (−1 where nothing is predicted) at {@code off}. */
    protected abstract void generate(Rng rng, int[] tokens, int[] targets, int off);

    /**
     * The target of the sequence's first {@code prefix} steps taken as a whole sequence of that length (predicted at
     * its last step), for a task with one target at the end; −1 where the prefix has none. Tasks without a single final
     * target answer {@link UnsupportedOperationException}.
     */
    public int prefixTarget(int[] tokens, int off, int prefix) {
        throw new UnsupportedOperationException(name() + " has no single final target to train on prefixes of");
    }

    /**
     * Renames the symbols of one generated sequence (inputs and targets at {@code off}) by a random permutation that
     * maps every sequence of the task onto another with the answers renamed alike (a symmetry of the task), drawing
     * from {@code rng}: a training sequence then teaches the rule rather than its particular symbols. Tasks with no
     * such symmetry answer {@link UnsupportedOperationException}; {@link #relabels()} says which.
     */
    public void relabel(Rng rng, int[] tokens, int[] targets, int off) {
        if (!relabels()) {
            throw new UnsupportedOperationException(name() + " has no symbol renaming that keeps its answers");
        }
        // By default any permutation of the whole vocabulary (a task whose rule only compares symbols for equality).
        int[] map = new int[vocab()];
        shuffleRange(rng, map, 0, map.length);
        rename(map, tokens, targets, off);
    }

    /** What {@link #relabel} renames, in words (for reports). */
    public String renaming() {
        return "any permutation of the symbols";
    }

    /** Whether {@link #relabel} is defined: by default not; tasks that only compare symbols say so. */
    public boolean relabels() {
        return false;
    }

    /**
     * Applies {@code map} to the {@code length} inputs and (non-negative) targets at {@code off}: {@link #relabel}'s
     * common part once a task has drawn its permutation.
     */
    protected final void rename(int[] map, int[] tokens, int[] targets, int off) {
        for (int t = off; t < off + length; t++) {
            tokens[t] = map[tokens[t]];
            if (targets[t] >= 0) {
                targets[t] = map[targets[t]];
            }
        }
    }

    /** Writes into {@code map[from, from + n)} a uniformly random permutation of {@code [from, from + n)}. */
    protected static void shuffleRange(Rng rng, int[] map, int from, int n) {
        for (int i = 0; i < n; i++) {
            map[from + i] = from + i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = map[from + i];
            map[from + i] = map[from + j];
            map[from + j] = t;
        }
    }

    /** The shortest prefix {@link #prefixTarget} gives a target for. */
    public int shortestPrefix() {
        return 1;
    }

    /** Whether held-out and training sequences can be told apart by hash (false when sequences never repeat). */
    protected boolean smallSpace() {
        return true;
    }

    @Override
    public int steps() {
        return length;
    }

    @Override
    public void trainBatch(Rng rng, Batch into) {
        fill(rng, into, false);
    }

    @Override
    public void heldOutBatch(Rng rng, Batch into) {
        fill(rng, into, true);
    }

    private void fill(Rng rng, Batch into, boolean heldOut) {
        if (into.steps != length) {
            throw new IllegalArgumentException(name() + " makes sequences of " + length + " steps, batch has " + into.steps);
        }
        for (int b = 0; b < into.batch; b++) {
            int off = b * length;
            int attempts = 0;
            do {
                if (++attempts > MAX_ATTEMPTS) {
                    throw new IllegalArgumentException(name() + " at length " + length + " has too few distinct sequences"
                            + " to keep " + (heldOut ? "held-out" : "training") + " sequences apart from "
                            + (heldOut ? "training" : "held-out") + " ones (none found in " + MAX_ATTEMPTS
                            + " draws); use a longer --length");
                }
                generate(rng, into.tokens, into.targets, off);
            } while (smallSpace() && isHeldOut(into.tokens, off) != heldOut);
            supervise(into.tokens, into.targets, off, heldOut);
        }
    }

    /**
     * Adjusts the targets of an accepted sequence: a task may train on more targets than it is judged on
     * (held-out sequences keep the task's own). Default: the targets {@code generate} wrote.
     */
    protected void supervise(int[] tokens, int[] targets, int off, boolean heldOut) {
    }

    /**
     * Draws before giving up on finding a sequence of one side: about one in ten sequences is held out, so
     * this many failures in a row only happen when the whole space has (almost) none of that side.
     */
    private static final int MAX_ATTEMPTS = 10_000;

    /** Fails fast, with the reason, when either side of the split cannot be sampled (a tiny sequence space). */
    public SyntheticTask checkSplit() {
        Batch probe = new Batch(1, length);
        Rng rng = new Rng(0x5EEDL);
        fill(rng, probe, true);
        fill(rng, probe, false);
        return this;
    }

    private boolean isHeldOut(int[] tokens, int off) {
        long h = 0x243F6A8885A308D3L;
        for (int i = 0; i < length; i++) {
            h = (h ^ tokens[off + i]) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        return Math.floorMod(h, 10) == 0;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "task");
        m.put("task", name());
        m.put("length", length);
        return m;
    }

    /** Whether {@code symbols^length} sequences are few enough that training would meet held-out ones. */
    protected boolean smallSpace(int symbols) {
        return Math.pow(symbols, length) < 1e12;
    }

    /** Symbols as letters, one per token. */
    protected static String letters(int[] tokens, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(letter(tokens[i]));
        }
        return sb.toString();
    }

    /** Letters for symbol ids: a..z then A..Z. */
    protected static char letter(int id) {
        return id < 26 ? (char) ('a' + id) : (char) ('A' + id - 26);
    }

    public static SyntheticTask create(String name, int length) {
        return create(name, length, false);
    }

    /**
     * The task by name; {@code everyStep} trains on a target at every step where the task has one to give
     * (Parity: the running parity), and is refused for the others.
     */
    public static SyntheticTask create(String name, int length, boolean everyStep) {
        return define(name, length, everyStep).checkSplit();
    }

    /**
     * The task by name without sampling anything yet (so it allocates nothing that grows with the length);
     * call {@link #checkSplit()} before training on it.
     */
    public static SyntheticTask define(String name, int length, boolean everyStep) {
        return TaskKind.named(name).define(length, everyStep);
    }

    /** Every task's name ({@link TaskKind}). */
    public static final java.util.List<String> NAMES = TaskKind.names();
}
