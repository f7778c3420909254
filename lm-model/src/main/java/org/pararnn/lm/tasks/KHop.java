package org.pararnn.lm.tasks;

import java.util.Map;
import org.pararnn.lm.data.Rng;

/**
 * k-hop induction: at each step, jump to the step after the previous occurrence of the current token
 * and repeat {@code k} times; output the token found (1-hop is the induction-head task). Steps where a
 * hop finds no earlier occurrence predict nothing.
 */
public final class KHop extends SyntheticTask {
    private final int hops;
    private final int symbols;

    public KHop(int length, int hops, int symbols) {
        super(length);
        this.hops = hops;
        this.symbols = symbols;
    }

    @Override
    public String name() {
        return hops + "-hop";
    }

    @Override
    public String explain() {
        return length + " symbols from " + symbols + "; at each step hop " + hops
                + "× to the token after the previous occurrence of the current one";
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
        for (int t = 0; t < length; t++) {
            tokens[off + t] = rng.nextInt(symbols);
        }
        int[] distances = new int[length];
        answerDistances(tokens, off, distances);
        for (int t = 0; t < length; t++) {
            targets[off + t] = distances[t] < 0 ? -1 : tokens[off + t - distances[t]];
        }
    }

    /**
     * For every step {@code t} of the sequence at {@code off}, how many steps back its answer lies (0: the current
     * token itself), or −1 where the hops find none, into {@code distances[0, length)}. A one-layer model's accuracy by
     * this distance shows how far back it follows hops (docs/design.md §2, "Table 6").
     */
    public void answerDistances(int[] tokens, int off, int[] distances) {
        int[] last = new int[symbols];
        int[] next = new int[length];
        java.util.Arrays.fill(last, -1);
        for (int t = 0; t < length; t++) {
            int tok = tokens[off + t];
            next[t] = last[tok] < 0 ? -1 : last[tok] + 1;
            last[tok] = t;
        }
        for (int t = 0; t < length; t++) {
            int p = t;
            for (int h = 0; h < hops && p >= 0; h++) {
                p = next[p];
            }
            distances[t] = p < 0 ? -1 : t - p;
        }
    }

    /** Any renaming of the symbols: hops follow equal tokens, which stay equal. */
    @Override
    public boolean relabels() {
        return true;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = super.describe();
        m.put("hops", hops);
        m.put("symbols", symbols);
        return m;
    }

    @Override
    public String render(int[] tokens, int from, int to) {
        return letters(tokens, from, to);
    }
}
