package org.pararnn.lm.tasks;

import java.util.Map;
import org.pararnn.lm.data.Rng;

/**
 * Bits in; at the last step, their sum mod 2.
 *
 * <p>With {@code everyStep}, training sequences also carry the parity of every prefix as a target (the
 * running parity), a dense signal instead of one bit per 100 steps; held-out sequences keep the task as
 * defined, the final bit only, so the accuracy reported is the paper's task.
 */
public final class Parity extends SyntheticTask {
    private final boolean everyStep;

    public Parity(int length) {
        this(length, false);
    }

    public Parity(int length, boolean everyStep) {
        super(length);
        this.everyStep = everyStep;
    }

    public boolean everyStep() {
        return everyStep;
    }

    @Override
    protected void supervise(int[] tokens, int[] targets, int off, boolean heldOut) {
        if (everyStep && !heldOut) {
            int sum = 0;
            for (int i = 0; i < length; i++) {
                sum += tokens[off + i];
                targets[off + i] = sum & 1;
            }
        }
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = super.describe();
        m.put("supervise", everyStep ? "every" : "last");
        return m;
    }

    @Override
    public String name() {
        return "parity";
    }

    @Override
    public String explain() {
        return length + " random bits; at the end output their sum mod 2"
                + (everyStep ? " (trained on the running parity of every prefix)" : "");
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
    public int prefixTarget(int[] tokens, int off, int prefix) {
        int sum = 0;
        for (int i = 0; i < prefix; i++) {
            sum += tokens[off + i];
        }
        return sum & 1;
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
