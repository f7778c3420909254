package org.pararnn.api.ops;

/**
 * The operations of a training step besides the recurrence, on a backend's own arrays, so that a step's
 * activations can stay where the backend computes (docs/design.md §4): products, RMSNorm, and — as the
 * model moves onto them — the convolution, gates, embedding, loss and optimiser. Every operation checks
 * its shapes before it runs and names what does not fit; every sum runs in a fixed order, so the same
 * call gives the same bits, from any number of threads at once. Backward operations write input
 * gradients unless told to accumulate, and always add into parameter gradients.
 *
 * <p>{@link org.pararnn.api.spi.Backend#ops()} gives a backend's ops; a backend without ops of its own
 * gives {@link HostOps}, and {@link #describe()} says so.
 */
public interface Ops {

    /** One line for a run's header: where these ops run and, for host ops standing in, for which backend. */
    String describe();

    /**
     * Whether these ops take Java arrays ({@link HostArray}, {@link HostInts}) as operands, as the host ops
     * do; a device backend's ops take only their own arrays. Code whose data is still in Java arrays (the
     * cells' projections, the model until its activations move) asks {@link
     * org.pararnn.api.spi.Backend#hostOps()} instead.
     */
    default boolean takesHostArrays() {
        return false;
    }

    /** A zeroed array of {@code length} floats, named for errors. */
    DeviceArray allocate(String name, long length);

    /**
     * Gives {@code array}'s memory back now rather than when these ops are closed; the array must not be used
     * again. The host ops leave it to the garbage collector.
     */
    default void release(DeviceArray array) {
    }

    /** As {@link #release(DeviceArray)}, for ints. */
    default void release(DeviceInts array) {
    }

    /** Sets every element of {@code array} to {@code value} (zeroing gradient accumulators). */
    void fill(DeviceArray array, float value);

    /** {@code dst = src}, element for element, between matrices of one shape (distinct arrays). */
    void copy(Matrix src, Matrix dst);

    /** Copies {@code length} floats from {@code src[srcOffset…]} into {@code dst} at {@code dstOffset}. */
    void upload(float[] src, int srcOffset, DeviceArray dst, long dstOffset, int length);

    /** Copies {@code length} floats of {@code src} from {@code srcOffset} into {@code dst[dstOffset…]}. */
    void download(DeviceArray src, long srcOffset, float[] dst, int dstOffset, int length);

    /** A zeroed array of {@code length} ints (token ids, targets), named for errors. */
    DeviceInts allocateInts(String name, long length);

    /** Copies {@code length} ints from {@code src[srcOffset…]} into {@code dst} at {@code dstOffset}. */
    void uploadInts(int[] src, int srcOffset, DeviceInts dst, long dstOffset, int length);

    /** Copies {@code length} ints of {@code src} from {@code srcOffset} into {@code dst[dstOffset…]}. */
    void downloadInts(DeviceInts src, long srcOffset, int[] dst, int dstOffset, int length);

    /**
     * {@code c = α·op(a)·op(b) + β·c}, {@code op} transposing when asked: {@code op(a)} must be
     * {@code c.rows × k} and {@code op(b)} {@code k × c.cols}. With {@code β = 0}, {@code c}'s old values
     * are ignored (NaN included); elements between {@code c}'s rows are never touched.
     */
    void matmul(Matrix a, boolean transA, Matrix b, boolean transB, float alpha, float beta, Matrix c);

    /**
     * Per row, {@code y = x / rms(x) ⊙ gain} with {@code rms(x) = sqrt(mean(x²) + ε)}, ε =
     * {@link RmsNormKernels#RMS_EPS}; writes {@code 1/rms} of row {@code r} to {@code invRms[r]}.
     * {@code gain} has one value per column, {@code invRms} at least one per row.
     */
    void rmsNorm(Matrix x, DeviceArray gain, Matrix y, DeviceArray invRms);

    /**
     * The gradients of {@link #rmsNorm} given the forward's {@code x} and {@code invRms}: {@code dx}
     * written (added to when {@code accumulate}), {@code gradGain} added to.
     */
    void rmsNormBackward(Matrix x, DeviceArray gain, DeviceArray invRms, Matrix dy, Matrix dx, boolean accumulate,
                         DeviceArray gradGain);

    /**
     * Token embedding: row {@code r} of {@code out} is row {@code tokens[r]} of {@code table [vocab][D]}, plus
     * row {@code r mod steps} of {@code positions [≥ steps][D]} when that is not null. A token outside
     * {@code [0, vocab)} is refused, naming it and its position, before anything is written.
     */
    void embedding(DeviceInts tokens, int steps, DeviceArray table, DeviceArray positions, Matrix out);

    /** The backward of {@link #embedding}: {@code dOut}'s rows added into the table's (and positions') gradient. */
    void embeddingBackward(DeviceInts tokens, int steps, Matrix dOut, DeviceArray gradTable, DeviceArray gradPositions);

    /** SiLU element-wise over matrices of one shape: {@code y = x·σ(x)}, with {@code σ(x)} written to {@code sig}. */
    void silu(Matrix x, Matrix sig, Matrix y);

    /** The gradient of {@link #silu} from the forward's {@code x} and {@code sig}: {@code dx = dy·σ·(1 + x·(1 − σ))}, written. */
    void siluBackward(Matrix x, Matrix sig, Matrix dy, Matrix dx);

    /**
     * The SiLU gate, element-wise over matrices of one shape: {@code out = SiLU(g) ⊙ u = (g·σ(g))·u}, with
     * {@code σ(g)} written to {@code sig} for the backward.
     */
    void siluGate(Matrix g, Matrix u, Matrix sig, Matrix out);

    /**
     * The gradients of {@link #siluGate} from the forward's {@code g}, {@code u} and {@code sig}:
     * {@code dg = dOut·u·σ·(1 + g·(1 − σ))} and {@code du = dOut·g·σ}, both written.
     */
    void siluGateBackward(Matrix g, Matrix u, Matrix sig, Matrix dOut, Matrix dg, Matrix du);

    /** A residual with a per-column scale: {@code x[r, j] += scale[j]·y[r, j]} ({@code scale} has one value per column). */
    void scaledResidual(Matrix y, DeviceArray scale, Matrix x);

    /**
     * The gradients of {@link #scaledResidual} given {@code dx = ∂L/∂x}: {@code dy = dx ⊙ scale} written,
     * {@code gradScale[j] += Σ_r dx[r, j]·y[r, j]} added to.
     */
    void scaledResidualBackward(Matrix y, DeviceArray scale, Matrix dx, Matrix dy, DeviceArray gradScale);

    /**
     * Causal depthwise convolution along time, per feature {@code d}: {@code y[b,t,d] = bias[d] +
     * Σ_j weight[d][j]·x[b, t−(k−1)+j, d]}, rows {@code (b, t)} batch-major ({@code x}, {@code y}:
     * {@code batch·steps × D}); inputs before step 0 come from {@code history [batch][k−1][D]}, or are
     * zeros when it is null. {@code weight [D][k]} is PyTorch's {@code Conv1d(D, D, k, groups=D)} layout.
     */
    void causalConv(Matrix x, int batch, int steps, DeviceArray weight, DeviceArray bias, DeviceArray history, Matrix y);

    /**
     * The gradients of {@link #causalConv} from a zero history: {@code dx} written, {@code gradWeight}
     * and {@code gradBias} added to.
     */
    void causalConvBackward(Matrix x, int batch, int steps, DeviceArray weight, Matrix dy, Matrix dx,
                            DeviceArray gradWeight, DeviceArray gradBias);

    /**
     * What a softmax cross-entropy's loss is made of, over the rows with a target: {@code crossEntropy =
     * Σ (lse_r − logit[r, t_r])}, {@code logSumExpSquares = Σ lse_r²} (the z-loss's), and how many rows
     * {@code counted}. The model divides by {@code counted}.
     */
    record CrossEntropySums(double crossEntropy, double logSumExpSquares, int counted) {
    }

    /**
     * Softmax cross-entropy of each row of {@code logits [rows][V]} against {@code targets [≥ rows]}, where
     * {@code −1} marks a row that is not counted and any other target outside {@code [0, V)} is refused,
     * naming it and its position, before anything is written; {@code lse_r = log Σ_j exp(logits[r, j])} in
     * double. Writes each row's arg-max class (the first, on ties) to {@code predictions [≥ rows]}. The sums
     * run in double in a fixed order, whatever the thread count.
     */
    CrossEntropySums crossEntropy(Matrix logits, DeviceInts targets, DeviceInts predictions);

    /**
     * The gradient of {@code L = (Σ (lse_r − logit[r, t_r]) + zLoss·Σ lse_r²) / counted}, fused in one pass per
     * row: {@code dLogits[r, j] = (softmax_j·(1 + 2·zLoss·lse_r) − [j = t_r]) / counted}, zero for rows without
     * a target; written, and {@code dLogits} may be {@code logits} itself.
     */
    void crossEntropyBackward(Matrix logits, DeviceInts targets, float zLoss, int counted, Matrix dLogits);

    /**
     * One AdamW update's constants, computed by the optimiser from its schedule: moments' decay rates,
     * {@code stepSize = lr / (1 − β₁ᵗ)}, {@code invBiasCorrection2 = 1 / (1 − β₂ᵗ)}, ε, the factor applied
     * to the gradient first (clipping, averaging), and the decoupled decay factor {@code 1 − lr·wd} (1 for
     * parameters without decay).
     */
    record AdamWStep(float beta1, float beta2, float stepSize, float invBiasCorrection2, float eps, float gradScale,
                     float decay) {
    }

    /**
     * AdamW with decoupled decay, element-wise: {@code g ← g·gradScale; m ← β₁m + (1−β₁)g;
     * v ← β₂v + (1−β₂)g²; w ← w·decay − stepSize·m / (√(v·invBiasCorrection2) + ε)}. The four arrays have
     * one length.
     */
    void adamW(DeviceArray param, DeviceArray grad, DeviceArray m, DeviceArray v, AdamWStep step);

    /** {@code dst[r, j] = row[j]} for every row of {@code dst}: a bias laid down before a product adds into it. */
    void broadcastRows(DeviceArray row, Matrix dst);

    /**
     * {@code dst[j] += Σ_r src[r, j]}, each column's rows added into {@code dst[j]} one by one in order (a
     * bias's gradient); {@code dst} has one value per column.
     */
    void addColumnSums(Matrix src, DeviceArray dst);

    /**
     * Clamps every element of {@code a} to {@code [−limit, limit]} (NaN stays NaN, so that a broken value is
     * not hidden): the cells' recurrent-weight clip after an optimiser step.
     */
    void clamp(DeviceArray a, float limit);

    /** {@code Σ a²} in double, in a fixed order: the pieces of a global gradient norm. */
    double sumOfSquares(DeviceArray a);
}
