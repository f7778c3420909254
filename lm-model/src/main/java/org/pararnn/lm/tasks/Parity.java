package org.pararnn.lm.tasks;

import org.pararnn.lm.data.Rng;

/** Bits in; at the last step, their sum mod 2. */
public final class Parity extends SyntheticTask {
    public Parity(int length) {
        super(length);
    }

    @Override
    public String name() {
        return "parity";
    }

    @Override
    public String explain() {
        return length + " random bits; at the end output their sum mod 2";
    }

    @Override
    public int vocab() {
        return 2;
    }

    @Override
    protected void generate(Rng rng, int[] tokens, int[] targets, int off) {
        int sum = 0;
        for (int i = 0; i < length; i++) {
            int bit = rng.nextInt(2);
            tokens[off + i] = bit;
            targets[off + i] = -1;
            sum += bit;
        }
        targets[off + length - 1] = sum & 1;
    }

    @Override
    public String render(int[] tokens, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(tokens[i]);
        }
        return sb.toString();
    }
}
