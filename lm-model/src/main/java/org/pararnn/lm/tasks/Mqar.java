package org.pararnn.lm.tasks;

import org.pararnn.lm.data.Rng;

/**
 * Multi-query associative recall: {@code P} key–value pairs (distinct keys), then the keys again in a
 * random order among noise tokens; at each queried key, output its value. Tokens: keys
 * {@code [0, K)}, values {@code [K, K+V)}, noise {@code K+V}.
 */
public final class Mqar extends SyntheticTask {
    private final int pairs;
    private final int keys;
    private final int values;

    public Mqar(int length, int pairs, int keys, int values) {
        super(length);
        if (pairs > keys || 3 * pairs > length) {
            throw new IllegalArgumentException("mqar: " + pairs + " pairs need ≤ " + keys + " keys and length ≥ "
                    + 3 * pairs + ", got length " + length);
        }
        this.pairs = pairs;
        this.keys = keys;
        this.values = values;
    }

    @Override
    public String name() {
        return "mqar";
    }

    @Override
    public String explain() {
        return pairs + " key-value pairs, then each key queried once among noise; output each queried key's value";
    }

    @Override
    public int vocab() {
        return keys + values + 1;
    }

    @Override
    protected boolean smallSpace() {
        return false;
    }

    @Override
    protected void generate(Rng rng, int[] tokens, int[] targets, int off) {
        int[] perm = new int[keys];
        for (int i = 0; i < keys; i++) {
            perm[i] = i;
        }
        shuffle(rng, perm);
        int[] val = new int[keys];
        for (int p = 0; p < pairs; p++) {
            val[perm[p]] = keys + rng.nextInt(values);
            tokens[off + 2 * p] = perm[p];
            tokens[off + 2 * p + 1] = val[perm[p]];
            targets[off + 2 * p] = -1;
            targets[off + 2 * p + 1] = -1;
        }
        int rest = length - 2 * pairs;
        int noise = keys + values;
        // Choose which of the remaining slots hold queries.
        int[] slots = new int[rest];
        for (int i = 0; i < rest; i++) {
            slots[i] = i;
            tokens[off + 2 * pairs + i] = noise;
            targets[off + 2 * pairs + i] = -1;
        }
        shuffle(rng, slots);
        int[] chosen = java.util.Arrays.copyOf(slots, pairs);
        java.util.Arrays.sort(chosen);
        int[] order = java.util.Arrays.copyOf(perm, pairs);
        shuffle(rng, order);
        for (int q = 0; q < pairs; q++) {
            int at = off + 2 * pairs + chosen[q];
            tokens[at] = order[q];
            targets[at] = val[order[q]];
        }
    }

    /** Keys are renamed among keys and values among values (the noise token stays): the answers follow. */
    @Override
    public void relabel(Rng rng, int[] tokens, int[] targets, int off) {
        int[] map = new int[vocab()];
        shuffleRange(rng, map, 0, keys);
        shuffleRange(rng, map, keys, values);
        map[keys + values] = keys + values;
        rename(map, tokens, targets, off);
    }

    @Override
    public boolean relabels() {
        return true;
    }

    @Override
    public String renaming() {
        return "keys among keys, values among values";
    }

    private static void shuffle(Rng rng, int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Override
    public java.util.Map<String, Object> describe() {
        java.util.Map<String, Object> m = super.describe();
        m.put("pairs", pairs);
        m.put("keys", keys);
        m.put("values", values);
        return m;
    }

    @Override
    public String render(int[] tokens, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            int t = tokens[i];
            if (t < keys) {
                sb.append(letter(t));
            } else if (t < keys + values) {
                sb.append(Integer.toHexString(t - keys));
            } else {
                sb.append('.');
            }
        }
        return sb.toString();
    }
}
