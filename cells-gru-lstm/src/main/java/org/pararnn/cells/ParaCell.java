package org.pararnn.cells;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.Checks;
import org.pararnn.api.Tensor;

/**
 * What ParaGRU and ParaLSTM share: the multi-head input projection ({@code B}, {@code b}), the
 * diagonal recurrent weights {@code A [3, D]}, optional peepholes {@code C}, and initialisation.
 * Parameters are named and shaped as in the PyTorch reference so weights interoperate.
 */
public abstract class ParaCell extends HeadProjectedCell {
    protected final int inputs;
    protected final int width;
    protected final int heads;
    protected final HeadProjection projection;
    protected final Tensor a;
    protected final Tensor c;

    protected ParaCell(int inputs, int width, int heads, boolean peepholes) {
        Checks.positive("input width N", inputs);
        Checks.positive("state width D", width);
        Checks.positive("heads H", heads);
        if (inputs % heads != 0 || width % heads != 0) {
            throw new IllegalArgumentException("N = " + inputs + " and D = " + width + " must both be divisible by H = " + heads);
        }
        this.inputs = inputs;
        this.width = width;
        this.heads = heads;
        this.projection = new HeadProjection(heads, inputs, width, 3);
        this.a = Tensor.zeros("A", 3, width);
        this.c = peepholes ? Tensor.zeros("C", 2, width) : null;
    }

    public int heads() {
        return heads;
    }

    /** {@code D}: features per state block (the GRU state, or each of the LSTM's {@code c} and {@code h}). */
    public int width() {
        return width;
    }

    @Override
    public int inputWidth() {
        return inputs;
    }

    @Override
    public int projectedWidth() {
        return 3 * width;
    }

    /** {@code A, B, b} (and {@code C}), the reference's names and shapes. */
    @Override
    public List<Tensor> parameters() {
        List<Tensor> list = new ArrayList<>(List.of(a, projection.weight, projection.bias));
        if (c != null) {
            list.add(c);
        }
        return List.copyOf(list);
    }

    public Tensor parameter(String name) {
        for (Tensor t : parameters()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("cell " + type() + " has no parameter '" + name + "'");
    }

    /** Row of {@code b} that is initialised to {@code −linspace(0, 1, D)} by the reference (gate z / f). */
    protected abstract int gateBiasRow();

    /** Whether a high value of the {@link #gateBiasRow()} gate keeps the state (LSTM's f) rather than replacing it (GRU's z). */
    protected abstract boolean gateKeepsState();

    /**
     * Sets the bias of the gate that decides how much of each feature's state is kept ({@code z} of ParaGRU,
     * {@code f} of ParaLSTM) so that feature {@code d} starts keeping it as if that gate's input were shifted by
     * {@code range·d/(D−1)} towards keeping (a spread of memory lengths from none to about {@code e^range}
     * steps); {@code 0} sets it to zero. Long-range tasks need it: with zero bias every step halves what
     * the state remembers, and the gradient from a target ~100 steps away vanishes before training starts.
     */
    public ParaCell retentionBias(float range) {
        if (!(range >= 0) || Float.isInfinite(range)) {
            throw new IllegalArgumentException("retention bias range must be finite and >= 0, got " + range);
        }
        float[] bv = projection.bias.data();
        int row = gateBiasRow();
        float sign = gateKeepsState() ? 1f : -1f;
        for (int d = 0; d < width; d++) {
            bv[row * width + d] = sign * (width == 1 ? range : range * d / (width - 1));
        }
        return this;
    }

    /** Fills every parameter following {@code init}, deterministically from {@code seed}; returns this. */
    public ParaCell initialize(Initialization init, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int fanIn = inputs / heads;
        float[] w = projection.weight.data();
        java.util.Arrays.fill(projection.bias.data(), 0f);
        switch (init) {
            case REFERENCE -> {
                double std = 2.0 / Math.sqrt(5.0 * width);
                gaussian(rnd, a.data(), std);
                if (c != null) {
                    gaussian(rnd, c.data(), std);
                }
                uniform(rnd, w, Math.sqrt(6.0 / (fanIn + width)));
                float[] bv = projection.bias.data();
                int row = gateBiasRow();
                for (int d = 0; d < width; d++) {
                    bv[row * width + d] = width == 1 ? 0f : -(float) d / (width - 1);
                }
            }
            case PAPER_LM -> {
                double std = 1.0 / Math.sqrt(width);
                truncatedGaussian(rnd, a.data(), std);
                if (c != null) {
                    truncatedGaussian(rnd, c.data(), std);
                }
                uniform(rnd, w, Math.sqrt(6.0 / fanIn));
                clipRecurrent(0.5f);
            }
        }
        return this;
    }

    /**
     * Clips {@code A} (and {@code C}) element-wise to {@code [−limit, limit]}, the paper's way of keeping
     * Jacobians bounded so Newton converges in a few iterations; call it after each optimiser step.
     */
    public void clipRecurrent(float limit) {
        clip(a.data(), limit);
        if (c != null) {
            clip(c.data(), limit);
        }
    }

    private static void clip(float[] v, float limit) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-limit, Math.min(limit, v[i]));
        }
    }

    private static void gaussian(SplittableRandom rnd, float[] v, double std) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * rnd.nextGaussian());
        }
    }

    private static void truncatedGaussian(SplittableRandom rnd, float[] v, double std) {
        for (int i = 0; i < v.length; i++) {
            double z;
            do {
                z = rnd.nextGaussian();
            } while (Math.abs(z) > 2.0);
            v[i] = (float) (std * z);
        }
    }

    private static void uniform(SplittableRandom rnd, float[] v, double bound) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
        }
    }

    @Override
    protected HeadProjection projection() {
        return projection;
    }

    static float sigmoid(float v) {
        return 1f / (1f + (float) Math.exp(-v));
    }

    static float tanh(float v) {
        return (float) Math.tanh(v);
    }
}
