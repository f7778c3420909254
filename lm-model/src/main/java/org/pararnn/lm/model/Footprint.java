package org.pararnn.lm.model;

import java.util.Locale;

/**
 * What a model of a given shape will hold in the Java heap, worked out from its configuration before
 * anything is allocated, so that a run too large for the heap is refused with the numbers instead of
 * dying with an {@code OutOfMemoryError} minutes in. Parameters are counted exactly (a test holds this
 * to {@link LanguageModel#parameterCount()}); activations are counted from the buffers each layer keeps
 * per row ({@code row = one token of the batch}), plus an allowance for the cell solves' own buffers
 * (output, Jacobians, right-hand sides, residuals and the adjoint), which depend on the backend.
 */
public record Footprint(long parameters, long parameterBytes, long optimizerBytes, long activationBytes) {
    /** float32 value + gradient per parameter. */
    static final int BYTES_PER_PARAMETER = 8;
    /** AdamW's two float32 moments per parameter. */
    static final int OPTIMIZER_BYTES_PER_PARAMETER = 8;
    /** Floats per row and state feature that a forward + backward cell solve holds (an allowance, not exact). */
    static final int SOLVE_FLOATS_PER_FEATURE = 12;

    public long totalBytes() {
        return plus(plus(parameterBytes, optimizerBytes), activationBytes);
    }

    /** Saturating: an absurd shape reads as {@code Long.MAX_VALUE} bytes, never as a small wrapped number. */
    private static long times(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }

    private static long plus(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** For training ({@code withOptimizer}) or evaluation, over batches of {@code batch × steps} tokens. */
    public static Footprint of(ModelConfig c, long batch, long steps, boolean withOptimizer) {
        return of(c, batch, steps, withOptimizer, true);
    }

    /**
     * As {@link #of(ModelConfig, long, long, boolean)}, for the Java heap: with {@code activationsOnHeap} false
     * (a backend whose ops keep activations in device memory) only the batch's tokens and targets count as
     * activations; the parameters' Java arrays (checkpoints read them) and the optimiser's count as ever.
     */
    public static Footprint of(ModelConfig c, long batch, long steps, boolean withOptimizer, boolean activationsOnHeap) {
        long params = parameterCount(c);
        long rows = times(batch, steps);
        long perRow = activationsOnHeap ? activationFloatsPerRow(c) + 2 : 2; // + the batch's tokens and targets
        long activations = times(rows, times(4, perRow));
        return new Footprint(params, times(BYTES_PER_PARAMETER, params),
                withOptimizer ? times(OPTIMIZER_BYTES_PER_PARAMETER, params) : 0, activations);
    }

    /** Exactly the parameters {@link LanguageModel} allocates for {@code c}. */
    public static long parameterCount(ModelConfig c) {
        long d = c.dim();
        long v = c.vocab();
        long cell = CellKinds.parameterCount(c.cell(), d, c.heads());
        if (c.architecture() == Architecture.CELL) {
            long learned = c.positionEncoding() == PositionEncoding.LEARNED ? (long) c.positions() * d : 0;
            return v * d + learned + cell + v * d + v;
        }
        long rnn = d + 2 * d * d + d * c.convKernel() + d + cell + d + d * d + d;
        if (c.architecture() == Architecture.BLOCK) {
            return v * d + rnn + d + v * d;
        }
        long f = c.mlpHidden();
        long mlp = d + 2 * f * d + d * f;
        return v * d + c.layers() * (rnn + mlp) + d;
    }

    /** Floats each row of a batch holds: the stream, logits and gradients, and every layer's buffers. */
    static long activationFloatsPerRow(ModelConfig c) {
        long d = c.dim();
        long v = c.vocab();
        long solve = SOLVE_FLOATS_PER_FEATURE * d;
        long model = 2 * d + v + 2; // x, dx, logits, log-sum-exp (a double)
        if (c.architecture() == Architecture.CELL) {
            return model + d + solve; // the cell layer's input copy
        }
        long rnn = 21 * d + 2 + solve; // RnnBlock's named buffers
        long head = 3 * d + 1; // TiedHead's
        if (c.architecture() == Architecture.BLOCK) {
            return model + rnn + head;
        }
        long f = c.mlpHidden();
        long mlp = 3 * d + 7 * f + 1; // MlpBlock's
        return model + c.layers() * (rnn + mlp) + head;
    }

    /** Bytes in words: {@code 1.5 GiB}. */
    public static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double x = b;
        int u = 0;
        while (x >= 1024 && u < units.length - 1) {
            x /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, u == 0 ? "%.0f %s" : "%.1f %s", x, units[u]);
    }
}
