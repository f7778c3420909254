package org.pararnn.lm.tasks;

import java.util.Map;
import org.pararnn.lm.data.Rng;

/** Random symbols in; at the last step, the {@code n}-th of them (1-based). */
public final class KeepNth extends SyntheticTask {
    private final int n;
    private final int symbols;

    public KeepNth(int length, int n, int symbols) {
        super(length);
        if (n < 1 || n > length) {
            throw new IllegalArgumentException("keep-nth: n must be in [1, " + length + "], got " + n);
        }
        this.n = n;
        this.symbols = symbols;
    }

    @Override
    public String name() {
        return "keep-nth";
    }

    @Override
    public String explain() {
        return length + " random symbols from " + symbols + "; at the end output the " + n + "-th";
    }

    @Override
    public int vocab() {
        return symbols;
    }

    @Override
    protected boolean smallSpace() {
        return smallSpace(symbols);
    }

    @Override
    protected void generate(Rng rng, int[] tokens, int[] targets, int off) {
        for (int i = 0; i < length; i++) {
            tokens[off + i] = rng.nextInt(symbols);
            targets[off + i] = -1;
        }
        targets[off + length - 1] = tokens[off + n - 1];
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = super.describe();
        m.put("n", n);
        m.put("symbols", symbols);
        return m;
    }

    /** Any renaming of the symbols: the n-th symbol is renamed with the rest. */
    @Override
    public boolean relabels() {
        return true;
    }

    @Override
    public int prefixTarget(int[] tokens, int off, int prefix) {
        return prefix >= n ? tokens[off + n - 1] : -1;
    }

    @Override
    public int shortestPrefix() {
        return n;
    }

    @Override
    public String render(int[] tokens, int from, int to) {
        return letters(tokens, from, to);
    }
}
