package org.pararnn.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.DeviceInts;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.ops.OpsShapes;
import org.pararnn.api.ops.RmsNormKernels;

/**
 * The CUDA backend's {@link Ops}: arrays in device memory, every op a kernel of {@code ops.cu} (docs/design.md
 * §7), on a GPU or, for {@code cuda-emulated}, on the CPU. One stream serves every caller, in order (calls
 * are serialised): an op queues its kernels and returns; a download, a token check and the ops that return
 * numbers (the loss's sums, the sum of squares) wait for what was queued before them. Arrays live until
 * the backend closes or {@link CudaArray#close()} frees them.
 */
final class CudaOps implements Ops, AutoCloseable {
    private static final int THREADS = 256;
    /** Rows per block of the one-warp-per-row kernels. */
    private static final int ROWS_PER_BLOCK = 8;
    /** The product's tile of c per block (16 × 16 threads; ops.cu's MM_BM, MM_BN). */
    private static final int TILE = 64;
    /** Blocks a product should reach before its k is split: about a large GPU's multiprocessors (132 on an H200). */
    private static final int SPLIT_TARGET_BLOCKS = 128;
    /** The least of k one block of a split product sums. */
    private static final int SPLIT_MIN_K = 256;
    /** The most partial sums a split product keeps (floats of its workspace). */
    private static final long SPLIT_MAX_PARTIALS = 1L << 26;

    private final String description;
    private final CudaDevice.Stream stream;
    private final List<CudaDevice.Buffer> owned = new ArrayList<>();
    /** The token check's answer (2 ints) and the double sums (3 doubles as 6 ints). */
    private final CudaDevice.Buffer checkResult;
    private final CudaDevice.Buffer sums;
    /** The loss's per-row partial sums, grown on demand: 3 doubles (6 slots) a row. */
    private CudaDevice.Buffer lossParts;
    /** The resident solves' workspaces by name (partial sums, Newton's statistics). */
    private final java.util.Map<String, CudaDevice.Buffer> workspaces = new java.util.HashMap<>();
    /** Bytes moved on this stream by resident solves (counted as theirs, not the ops'). */
    private long solveUp;
    private long solveDown;
    private boolean closed;

    CudaOps(String backend, CudaDevice device) {
        this.description = backend + " (ops kernels on " + device.describe() + ")";
        // Untimed: an op queues its kernels without waiting for the previous one.
        this.stream = device.newStream(false);
        this.checkResult = stream.alloc(2);
        this.sums = stream.alloc(6);
    }

    /** Device memory these ops made: a name for errors, a length in values, the buffer (null once freed). */
    abstract class Slots {
        final String name;
        final long length;
        CudaDevice.Buffer buffer;

        Slots(String name, long length, CudaDevice.Buffer buffer) {
            this.name = name;
            this.length = length;
            this.buffer = buffer;
        }

        public String name() {
            return name;
        }

        public long length() {
            return length;
        }

        CudaOps owner() {
            return CudaOps.this;
        }

        @Override
        public String toString() {
            return name + "[" + length + "] on " + description;
        }
    }

    /** Floats in device memory. */
    final class CudaArray extends Slots implements DeviceArray, AutoCloseable {
        CudaArray(String name, long length, CudaDevice.Buffer buffer) {
            super(name, length, buffer);
        }

        /** Frees the device memory now (after the work queued on it); the array cannot be used again. */
        @Override
        public void close() {
            free(this);
        }
    }

    /** Ints in device memory (a slot each). */
    final class CudaInts extends Slots implements DeviceInts {
        CudaInts(String name, long length, CudaDevice.Buffer buffer) {
            super(name, length, buffer);
        }
    }

    @Override
    public String describe() {
        return description;
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException("the CUDA ops were closed with their backend");
        }
    }

    private static void requireLength(String name, long length, String what) {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": the CUDA ops hold at most " + (Integer.MAX_VALUE - 8) + " " + what
                    + " in one array (their kernels index with 32-bit offsets), asked for " + length);
        }
    }

    /** {@code length} slots of device memory, zeroed on the device (0.0f and 0 have the same bits). */
    private CudaDevice.Buffer zeroed(String name, long length, String what) {
        open();
        requireLength(name, length, what);
        CudaDevice.Buffer b = stream.alloc(Math.max(1, length));
        owned.add(b);
        elementwise("pararnn_ops_fill", length, new KernelArgs().pointer(b).integer((int) length).real(0f));
        return b;
    }

    @Override
    public synchronized DeviceArray allocate(String name, long length) {
        return new CudaArray(name, length, zeroed(name, length, "floats"));
    }

    /** Frees an array's device memory now (after the work queued on it); it cannot be used again. */
    private synchronized void free(Slots a) {
        if (a.buffer != null && !closed) {
            owned.remove(a.buffer);
            stream.free(a.buffer);
        }
        a.buffer = null;
    }

    @Override
    public void release(DeviceArray array) {
        if (!(array instanceof CudaArray c && c.owner() == this)) {
            throw OpsShapes.foreign(array, description);
        }
        free(c);
    }

    @Override
    public void release(DeviceInts array) {
        if (!(array instanceof CudaInts c && c.owner() == this)) {
            throw OpsShapes.foreign(array, description);
        }
        free(c);
    }

    @Override
    public synchronized void fill(DeviceArray array, float value) {
        open();
        int n = Math.toIntExact(array.length());
        elementwise("pararnn_ops_fill", n, new KernelArgs().pointer(buf(array)).integer(n).real(value));
    }

    @Override
    public synchronized void copy(Matrix src, Matrix dst) {
        open();
        OpsShapes.sameShape("copy", src, dst);
        OpsShapes.distinct("copy", src, dst);
        KernelArgs args = view(new KernelArgs(), src);
        view(args, dst).integer(src.rows()).integer(src.cols());
        elementwise("pararnn_ops_copy", (long) src.rows() * src.cols(), args);
    }

    @Override
    public synchronized DeviceInts allocateInts(String name, long length) {
        return new CudaInts(name, length, zeroed(name, length, "ints"));
    }

    private CudaDevice.Buffer buf(DeviceArray a) {
        if (a instanceof CudaArray c && c.owner() == this) {
            if (c.buffer == null) {
                throw new IllegalStateException(c.name + " was freed");
            }
            return c.buffer;
        }
        throw OpsShapes.foreign(a, description);
    }

    private CudaDevice.Buffer bufOrNull(DeviceArray a) {
        return a == null ? null : buf(a);
    }

    private CudaDevice.Buffer ints(DeviceInts a) {
        if (a instanceof CudaInts c && c.owner() == this) {
            if (c.buffer == null) {
                throw new IllegalStateException(c.name + " was freed");
            }
            return c.buffer;
        }
        throw OpsShapes.foreign(a, description);
    }

    private static void requireSpan(String what, long length, long offset, int n, String name) {
        if (offset < 0 || n < 0 || offset + n > length) {
            throw new IndexOutOfBoundsException(what + " of " + n + " values at " + offset + " outside " + name + " (" + length + ")");
        }
    }

    @Override
    public synchronized void upload(float[] src, int srcOffset, DeviceArray dst, long dstOffset, int length) {
        open();
        requireSpan("upload", dst.length(), dstOffset, length, dst.name());
        stream.upload(src, srcOffset, length, buf(dst), dstOffset);
    }

    @Override
    public synchronized void download(DeviceArray src, long srcOffset, float[] dst, int dstOffset, int length) {
        open();
        requireSpan("download", src.length(), srcOffset, length, src.name());
        stream.download(buf(src), srcOffset, dst, dstOffset, length);
        stream.sync();
    }

    @Override
    public synchronized void uploadInts(int[] src, int srcOffset, DeviceInts dst, long dstOffset, int length) {
        open();
        requireSpan("upload", dst.length(), dstOffset, length, dst.name());
        stream.uploadInts(src, srcOffset, length, ints(dst), dstOffset);
    }

    @Override
    public synchronized void downloadInts(DeviceInts src, long srcOffset, int[] dst, int dstOffset, int length) {
        open();
        requireSpan("download", src.length(), srcOffset, length, src.name());
        stream.downloadInts(ints(src), srcOffset, dst, dstOffset, length);
        stream.sync();
    }

    // ---- launches ----

    private static int blocks(long n, int per) {
        return (int) Math.max(1, (n + per - 1) / per);
    }

    private void elementwise(String kernel, long n, KernelArgs args) {
        if (n > 0) {
            stream.launch(kernel, new int[] {blocks(n, THREADS), 1, 1}, new int[] {THREADS, 1, 1}, 0, args);
        }
    }

    private void perRow(String kernel, int rows, KernelArgs args) {
        if (rows > 0) {
            stream.launch(kernel, new int[] {blocks(rows, ROWS_PER_BLOCK), 1, 1}, new int[] {32, ROWS_PER_BLOCK, 1}, 0, args);
        }
    }

    private void oneBlock(String kernel, KernelArgs args) {
        stream.launch(kernel, new int[] {1, 1, 1}, new int[] {THREADS, 1, 1}, 0, args);
    }

    /** Rows one chunk of a per-column sum adds at least; fewer rows stay one chunk (HostOps' order, the same bits). */
    static final int ROWS_PER_CHUNK = 512;

    /** Chunks the rows of a per-column sum are cut into: by the row count alone, at most 256. */
    static int rowChunks(int rows) {
        return Math.max(1, Math.min(256, rows / ROWS_PER_CHUNK));
    }

    /**
     * A per-column sum over {@code rows}: one thread per column, and where the rows are many, chunks of them side
     * by side ({@code gridDim.y}) whose sums {@code pararnn_ops_add_partials} then adds into {@code dst} in order.
     */
    private void columnSums(String kernel, int rows, int width, KernelArgs args, CudaDevice.Buffer dst) {
        if (width <= 0) {
            return;
        }
        int chunks = rowChunks(rows);
        CudaDevice.Buffer partial = chunks > 1 ? workspace("column partials", (long) chunks * width) : null;
        stream.launch(kernel, new int[] {blocks(width, THREADS), chunks, 1}, new int[] {THREADS, 1, 1}, 0, args.pointer(partial));
        if (chunks > 1) {
            elementwise("pararnn_ops_add_partials", width, new KernelArgs().pointer(partial).integer(chunks).pointer(dst).integer(width));
        }
    }

    /** Blocks a reduction over {@code n} values spreads over: about 16 values a thread, at most 1024, by n alone. */
    static int reductionBlocks(long n) {
        return (int) Math.max(1, Math.min(MAX_REDUCTION_BLOCKS, (n + 16L * THREADS - 1) / (16L * THREADS)));
    }

    static final int MAX_REDUCTION_BLOCKS = 1024;

    /** Per-block results of a spread reduction: 1024 doubles (or ints). */
    private CudaDevice.Buffer reductionPartials() {
        return workspace("reduction partials", 2L * MAX_REDUCTION_BLOCKS);
    }

    /**
     * The first index of {@code values[0, n)} that {@code kernel} flags, found by blocks over contiguous ranges and
     * then the least over blocks, with the value's 4 bytes; {@code {−1, 0}} when none. {@code args} are the kernel's
     * parameters before its partial results.
     */
    private int[] firstFlagged(String kernel, KernelArgs args, CudaDevice.Buffer values, int n) {
        int blocks = reductionBlocks(n);
        CudaDevice.Buffer partial = reductionPartials();
        stream.launch(kernel, new int[] {blocks, 1, 1}, new int[] {THREADS, 1, 1}, 0, args.pointer(partial));
        oneBlock("pararnn_ops_first_index", new KernelArgs().pointer(partial).integer(blocks).pointer(values).integer(n).pointer(checkResult));
        int[] res = new int[2];
        stream.downloadInts(checkResult, 0, res, 0, 2);
        stream.sync();
        return res;
    }

    private static int off(Matrix m) {
        return Math.toIntExact(m.offset());
    }

    private KernelArgs view(KernelArgs args, Matrix m) {
        return args.pointer(buf(m.array())).integer(off(m)).integer(m.ld());
    }

    private static void requireContiguous(String op, Matrix... m) {
        OpsShapes.contiguous(op, "the CUDA ops", m);
    }

    /** Index of the first value of {@code v[0, n)} outside {@code [lo, hi)} and the value, or {@code {−1, 0}}. */
    private int[] firstOutside(CudaDevice.Buffer v, int n, int lo, int hi) {
        return firstFlagged("pararnn_ops_check_ints", new KernelArgs().pointer(v).integer(n).integer(lo).integer(hi), v, n);
    }

    // ---- ops ----

    @Override
    public synchronized void matmul(Matrix a, boolean transA, Matrix b, boolean transB, float alpha, float beta, Matrix c) {
        open();
        int k = OpsShapes.matmul(a, transA, b, transB, c);
        int m = c.rows();
        int n = c.cols();
        if (m == 0 || n == 0) {
            return;
        }
        KernelArgs args = view(new KernelArgs(), a).integer(transA ? 1 : 0);
        view(args, b).integer(transB ? 1 : 0);
        view(args, c).integer(m).integer(n).integer(k).real(alpha).real(beta);
        int kChunk = splitChunk(m, n, k);
        int splits = kChunk >= k ? 1 : (k + kChunk - 1) / kChunk;
        if (splits == 1) {
            stream.launch("pararnn_ops_matmul", new int[] {blocks(n, TILE), blocks(m, TILE), 1}, new int[] {16, 16, 1}, 0,
                    args.integer(Math.max(k, 1)).pointer(null));
            return;
        }
        CudaDevice.Buffer part = workspace("matmul split partials", (long) splits * m * n);
        stream.launch("pararnn_ops_matmul", new int[] {blocks(n, TILE), blocks(m, TILE), splits}, new int[] {16, 16, 1}, 0,
                args.integer(kChunk).pointer(part));
        KernelArgs sum = new KernelArgs().pointer(part).integer(splits);
        view(sum, c).integer(m).integer(n).real(alpha).real(beta);
        elementwise("pararnn_ops_matmul_splits", (long) m * n, sum);
    }

    /**
     * How much of {@code k} one block sums: all of it, unless {@code c} has too few tiles to fill a GPU
     * ({@link #SPLIT_TARGET_BLOCKS}) and {@code k} is long (a parameter's gradient {@code xᵀ·dy} over a whole
     * batch of rows), when {@code k} is split into chunks of at least {@link #SPLIT_MIN_K} (a multiple of the
     * kernel's 16) and the partial products are added in a second kernel. A function of the shape alone.
     */
    static int splitChunk(int m, int n, int k) {
        long tiles = (long) blocks(n, TILE) * blocks(m, TILE);
        long want = Math.min((SPLIT_TARGET_BLOCKS + tiles - 1) / tiles, k / SPLIT_MIN_K);
        want = Math.min(want, SPLIT_MAX_PARTIALS / Math.max(1, (long) m * n));
        if (want < 2) {
            return Math.max(k, 1);
        }
        int chunk = (int) ((k + want - 1) / want);
        return (chunk + 15) / 16 * 16;
    }

    @Override
    public synchronized void rmsNorm(Matrix x, DeviceArray gain, Matrix y, DeviceArray invRms) {
        open();
        OpsShapes.rmsNorm("rmsNorm", x, gain, y, invRms);
        KernelArgs args = view(new KernelArgs(), x).pointer(buf(gain));
        view(args, y).pointer(buf(invRms)).integer(x.rows()).integer(x.cols()).real(RmsNormKernels.RMS_EPS);
        perRow("pararnn_ops_rmsnorm", x.rows(), args);
    }

    @Override
    public synchronized void rmsNormBackward(Matrix x, DeviceArray gain, DeviceArray invRms, Matrix dy, Matrix dx,
                                             boolean accumulate, DeviceArray gradGain) {
        open();
        OpsShapes.rmsNorm("rmsNormBackward", x, gain, dy, invRms);
        OpsShapes.rmsNorm("rmsNormBackward", x, gradGain, dx, invRms);
        KernelArgs g = view(new KernelArgs(), x).pointer(buf(invRms));
        view(g, dy).pointer(buf(gradGain)).integer(x.rows()).integer(x.cols());
        columnSums("pararnn_ops_rmsnorm_gain_grad", x.rows(), x.cols(), g, buf(gradGain));
        KernelArgs args = view(new KernelArgs(), x).pointer(buf(gain)).pointer(buf(invRms));
        view(args, dy);
        view(args, dx).integer(accumulate ? 1 : 0).integer(x.rows()).integer(x.cols());
        perRow("pararnn_ops_rmsnorm_backward", x.rows(), args);
    }

    private void requireTokens(DeviceInts tokens, int rows, int vocab) {
        int[] bad = firstOutside(ints(tokens), rows, 0, vocab);
        if (bad[0] >= 0) {
            throw OpsShapes.tokenOutside(bad[1], bad[0], vocab);
        }
    }

    @Override
    public synchronized void embedding(DeviceInts tokens, int steps, DeviceArray table, DeviceArray positions, Matrix out) {
        open();
        int v = OpsShapes.embedding("embedding", tokens, steps, table, positions, out);
        requireContiguous("embedding", out);
        requireTokens(tokens, out.rows(), v);
        elementwise("pararnn_ops_embedding", (long) out.rows() * out.cols(), new KernelArgs().pointer(ints(tokens)).integer(steps)
                .pointer(buf(table)).pointer(bufOrNull(positions)).pointer(buf(out.array())).integer(out.rows()).integer(out.cols()));
    }

    @Override
    public synchronized void embeddingBackward(DeviceInts tokens, int steps, Matrix dOut, DeviceArray gradTable,
                                               DeviceArray gradPositions) {
        open();
        int v = OpsShapes.embedding("embeddingBackward", tokens, steps, gradTable, gradPositions, dOut);
        requireContiguous("embeddingBackward", dOut);
        requireTokens(tokens, dOut.rows(), v);
        elementwise("pararnn_ops_embedding_backward", dOut.cols(), new KernelArgs().pointer(ints(tokens)).integer(steps)
                .pointer(buf(dOut.array())).pointer(buf(gradTable)).pointer(bufOrNull(gradPositions)).integer(dOut.rows())
                .integer(dOut.cols()));
    }

    @Override
    public synchronized void silu(Matrix x, Matrix sig, Matrix y) {
        open();
        OpsShapes.sameShape("silu", x, sig, y);
        requireContiguous("silu", x, sig, y);
        long n = (long) x.rows() * x.cols();
        elementwise("pararnn_ops_silu", n, new KernelArgs().pointer(buf(x.array())).pointer(buf(sig.array())).pointer(buf(y.array()))
                .integer(Math.toIntExact(n)));
    }

    @Override
    public synchronized void siluBackward(Matrix x, Matrix sig, Matrix dy, Matrix dx) {
        open();
        OpsShapes.sameShape("siluBackward", x, sig, dy, dx);
        requireContiguous("siluBackward", x, sig, dy, dx);
        long n = (long) x.rows() * x.cols();
        elementwise("pararnn_ops_silu_backward", n, new KernelArgs().pointer(buf(x.array())).pointer(buf(sig.array()))
                .pointer(buf(dy.array())).pointer(buf(dx.array())).integer(Math.toIntExact(n)));
    }

    @Override
    public synchronized void siluGate(Matrix g, Matrix u, Matrix sig, Matrix out) {
        open();
        OpsShapes.sameShape("siluGate", g, u, sig, out);
        requireContiguous("siluGate", sig, out);
        KernelArgs args = view(new KernelArgs(), g);
        view(args, u).pointer(buf(sig.array())).pointer(buf(out.array())).integer(g.rows()).integer(g.cols());
        elementwise("pararnn_ops_silu_gate", (long) g.rows() * g.cols(), args);
    }

    @Override
    public synchronized void siluGateBackward(Matrix g, Matrix u, Matrix sig, Matrix dOut, Matrix dg, Matrix du) {
        open();
        OpsShapes.sameShape("siluGateBackward", g, u, sig, dOut, dg, du);
        requireContiguous("siluGateBackward", sig, dOut);
        KernelArgs args = view(new KernelArgs(), g);
        view(args, u).pointer(buf(sig.array())).pointer(buf(dOut.array()));
        view(args, dg);
        view(args, du).integer(g.rows()).integer(g.cols());
        elementwise("pararnn_ops_silu_gate_backward", (long) g.rows() * g.cols(), args);
    }

    @Override
    public synchronized void scaledResidual(Matrix y, DeviceArray scale, Matrix x) {
        open();
        OpsShapes.sameShape("scaledResidual", y, x);
        OpsShapes.perColumn("scaledResidual", scale, y);
        KernelArgs args = view(new KernelArgs(), y).pointer(buf(scale));
        view(args, x).integer(y.rows()).integer(y.cols());
        elementwise("pararnn_ops_scaled_residual", (long) y.rows() * y.cols(), args);
    }

    @Override
    public synchronized void scaledResidualBackward(Matrix y, DeviceArray scale, Matrix dx, Matrix dy, DeviceArray gradScale) {
        open();
        OpsShapes.sameShape("scaledResidualBackward", y, dx, dy);
        OpsShapes.perColumn("scaledResidualBackward", scale, y);
        OpsShapes.perColumn("scaledResidualBackward", gradScale, y);
        KernelArgs g = view(new KernelArgs(), dx);
        view(g, y).pointer(buf(gradScale)).integer(y.rows()).integer(y.cols());
        columnSums("pararnn_ops_scaled_residual_scale_grad", y.rows(), y.cols(), g, buf(gradScale));
        KernelArgs args = view(new KernelArgs(), dx).pointer(buf(scale));
        view(args, dy).integer(y.rows()).integer(y.cols());
        elementwise("pararnn_ops_scaled_residual_input_grad", (long) y.rows() * y.cols(), args);
    }

    @Override
    public synchronized void causalConv(Matrix x, int batch, int steps, DeviceArray weight, DeviceArray bias, DeviceArray history,
                                        Matrix y) {
        open();
        int k = OpsShapes.causalConv("causalConv", x, batch, steps, weight, bias, history, y);
        requireContiguous("causalConv", y);
        KernelArgs args = view(new KernelArgs(), x).pointer(buf(weight)).pointer(buf(bias)).pointer(bufOrNull(history))
                .pointer(buf(y.array())).integer(batch).integer(steps).integer(x.cols()).integer(k);
        elementwise("pararnn_ops_causal_conv", (long) batch * steps * x.cols(), args);
    }

    @Override
    public synchronized void causalConvBackward(Matrix x, int batch, int steps, DeviceArray weight, Matrix dy, Matrix dx,
                                                DeviceArray gradWeight, DeviceArray gradBias) {
        open();
        int k = OpsShapes.causalConv("causalConvBackward", x, batch, steps, weight, gradBias, null, dy);
        OpsShapes.causalConv("causalConvBackward", x, batch, steps, gradWeight, gradBias, null, dx);
        requireContiguous("causalConvBackward", dy);
        int d = x.cols();
        KernelArgs p = view(new KernelArgs(), x).pointer(buf(dy.array())).pointer(buf(gradWeight)).pointer(buf(gradBias))
                .integer(batch).integer(steps).integer(d).integer(k);
        // Per (feature, tap) a sum over every (b, t); many rows are cut into chunks side by side, added in order.
        int n = d * (k + 1);
        int chunks = rowChunks(batch * steps);
        CudaDevice.Buffer partial = chunks > 1 ? workspace("column partials", (long) chunks * n) : null;
        stream.launch("pararnn_ops_causal_conv_backward_params", new int[] {blocks(n, THREADS), chunks, 1}, new int[] {THREADS, 1, 1}, 0,
                p.pointer(partial));
        if (chunks > 1) {
            elementwise("pararnn_ops_conv_params_add", n, new KernelArgs().pointer(partial).integer(chunks).pointer(buf(gradWeight))
                    .pointer(buf(gradBias)).integer(d).integer(k));
        }
        KernelArgs in = new KernelArgs().pointer(buf(weight)).pointer(buf(dy.array()));
        view(in, dx).integer(batch).integer(steps).integer(d).integer(k);
        elementwise("pararnn_ops_causal_conv_backward_input", (long) batch * steps * d, in);
    }

    private void requireTargets(String op, DeviceInts targets, int rows, int classes) {
        int[] bad = firstOutside(ints(targets), rows, -1, classes);
        if (bad[0] >= 0) {
            throw OpsShapes.targetOutside(op, bad[1], bad[0], classes);
        }
    }

    /** Three doubles from {@link #sums}, each kept in two int slots (low half first, as the device stores them). */
    private double[] readSums(int count) {
        int[] raw = new int[2 * count];
        stream.downloadInts(sums, 0, raw, 0, raw.length);
        stream.sync();
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = Double.longBitsToDouble(((long) raw[2 * i + 1] << 32) | (raw[2 * i] & 0xffffffffL));
        }
        return out;
    }

    @Override
    public synchronized CrossEntropySums crossEntropy(Matrix logits, DeviceInts targets, DeviceInts predictions) {
        open();
        OpsShapes.crossEntropy("crossEntropy", logits, targets, predictions);
        int rows = logits.rows();
        requireTargets("crossEntropy", targets, rows, logits.cols());
        long slots = 6L * Math.max(1, rows);
        if (lossParts == null || lossParts.floats() < slots) {
            if (lossParts != null) {
                stream.free(lossParts);
            }
            lossParts = stream.alloc(slots);
        }
        KernelArgs args = view(new KernelArgs(), logits).pointer(ints(targets)).pointer(ints(predictions)).pointer(lossParts)
                .integer(rows).integer(logits.cols());
        perRow("pararnn_ops_cross_entropy", rows, args);
        oneBlock("pararnn_ops_sum_columns_double", new KernelArgs().pointer(lossParts).integer(rows).integer(3).pointer(sums));
        double[] s = readSums(3);
        return new CrossEntropySums(s[0], s[1], (int) s[2]);
    }

    @Override
    public synchronized void crossEntropyBackward(Matrix logits, DeviceInts targets, float zLoss, int counted, Matrix dLogits) {
        open();
        OpsShapes.crossEntropy("crossEntropyBackward", logits, targets, null);
        OpsShapes.sameShape("crossEntropyBackward", logits, dLogits);
        if (dLogits.array() == logits.array() && (dLogits.offset() != logits.offset() || dLogits.ld() != logits.ld())) {
            throw new IllegalArgumentException("crossEntropyBackward: " + dLogits.describe()
                    + " shares the logits' array without being them (in place needs the same offset and leading dimension)");
        }
        requireTargets("crossEntropyBackward", targets, logits.rows(), logits.cols());
        KernelArgs args = view(new KernelArgs(), logits).pointer(ints(targets)).real(zLoss).integer(counted);
        view(args, dLogits).integer(logits.rows()).integer(logits.cols());
        perRow("pararnn_ops_cross_entropy_backward", logits.rows(), args);
    }

    @Override
    public synchronized void adamW(DeviceArray param, DeviceArray grad, DeviceArray m, DeviceArray v, AdamWStep step) {
        open();
        OpsShapes.adamW(param, grad, m, v);
        int n = Math.toIntExact(param.length());
        elementwise("pararnn_ops_adamw", n, new KernelArgs().pointer(buf(param)).pointer(buf(grad)).pointer(buf(m)).pointer(buf(v))
                .integer(n).real(step.beta1()).real(step.beta2()).real(step.stepSize()).real(step.invBiasCorrection2())
                .real(step.eps()).real(step.gradScale()).real(step.decay()));
    }

    @Override
    public synchronized double sumOfSquares(DeviceArray a) {
        open();
        int n = Math.toIntExact(a.length());
        int blocks = reductionBlocks(n);
        CudaDevice.Buffer partial = reductionPartials();
        stream.launch("pararnn_ops_sum_squares", new int[] {blocks, 1, 1}, new int[] {THREADS, 1, 1}, 0,
                new KernelArgs().pointer(buf(a)).integer(n).pointer(partial));
        oneBlock("pararnn_ops_sum_doubles", new KernelArgs().pointer(partial).integer(blocks).pointer(sums));
        return readSums(1)[0];
    }

    @Override
    public synchronized void broadcastRows(DeviceArray row, Matrix dst) {
        open();
        OpsShapes.perColumn("broadcastRows", row, dst);
        KernelArgs args = new KernelArgs().pointer(buf(row));
        view(args, dst).integer(dst.rows()).integer(dst.cols());
        elementwise("pararnn_ops_broadcast_rows", (long) dst.rows() * dst.cols(), args);
    }

    @Override
    public synchronized void addColumnSums(Matrix src, DeviceArray dst) {
        open();
        OpsShapes.perColumn("addColumnSums", dst, src);
        KernelArgs args = view(new KernelArgs(), src).pointer(buf(dst)).integer(src.rows()).integer(src.cols());
        columnSums("pararnn_ops_add_column_sums", src.rows(), src.cols(), args, buf(dst));
    }

    @Override
    public synchronized void clamp(DeviceArray a, float limit) {
        open();
        OpsShapes.clampLimit(a, limit);
        int n = Math.toIntExact(a.length());
        elementwise("pararnn_ops_clamp", n, new KernelArgs().pointer(buf(a)).integer(n).real(limit));
    }

    // ---- what the resident cell solvers (CudaResidentSolver) use: this stream, these arrays ----

    /** Work of a resident solve on these ops' stream, in order with the ops around it. */
    interface StreamWork<T> {
        T run(CudaDevice.Stream stream);
    }

    /**
     * Runs {@code work} on these ops' stream under their lock, so that a solve sits in order between the ops
     * that make its input and use its output; the bytes it moves count as the solves', not the ops'.
     */
    synchronized <T> T onStream(StreamWork<T> work) {
        open();
        long up = stream.bytesUp();
        long down = stream.bytesDown();
        try {
            return work.run(stream);
        } finally {
            solveUp += stream.bytesUp() - up;
            solveDown += stream.bytesDown() - down;
        }
    }

    /** The device memory of one of these ops' arrays (null for null). */
    CudaDevice.Buffer buffer(DeviceArray a) {
        return bufOrNull(a);
    }

    /** A buffer of at least {@code floats} slots kept under {@code name} for the solves' next calls (their workspace). */
    synchronized CudaDevice.Buffer workspace(String name, long floats) {
        open();
        CudaDevice.Buffer b = workspaces.get(name);
        if (b == null || b.floats() < floats) {
            if (b != null) {
                owned.remove(b);
                stream.free(b);
            }
            b = stream.alloc(Math.max(1, floats));
            owned.add(b);
            workspaces.put(name, b);
        }
        return b;
    }

    /**
     * Index of the first NaN or infinity in {@code a[0, n)} and its value, or null when all are finite; waits.
     * Called inside {@link #onStream}, so its 8 bytes count as the solve's.
     */
    synchronized float[] firstNonFinite(DeviceArray a, int n) {
        int[] res = firstFlagged("pararnn_ops_first_nonfinite", new KernelArgs().pointer(buf(a)).integer(n), buf(a), n);
        return res[0] < 0 ? null : new float[] {res[0], Float.intBitsToFloat(res[1])};
    }

    /** Bytes these ops copied to the device so far (uploads, their tokens and targets included). */
    synchronized long bytesUp() {
        return stream.bytesUp() - solveUp;
    }

    /** Bytes these ops copied back so far (downloads, predictions, sums and checks included). */
    synchronized long bytesDown() {
        return stream.bytesDown() - solveDown;
    }

    /** Bytes the resident solves moved on this stream, to the device and back. */
    synchronized long[] solveBytes() {
        return new long[] {solveUp, solveDown};
    }

    /** Frees every array these ops made, and their stream. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.sync();
        for (CudaDevice.Buffer b : owned) {
            stream.free(b);
        }
        owned.clear();
        stream.free(checkResult);
        stream.free(sums);
        if (lossParts != null) {
            stream.free(lossParts);
        }
        stream.close();
    }
}
