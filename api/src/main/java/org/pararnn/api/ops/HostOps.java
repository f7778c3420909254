package org.pararnn.api.ops;

import org.pararnn.api.spi.Activations;
import org.pararnn.api.spi.ParallelLoop;

/**
 * {@link Ops} in the Java heap: products by {@link JavaGemm} (or, where a backend gives one or one is
 * installed as a service, large products by a {@link HostGemm} such as OpenBLAS), RMSNorm by {@link RmsNormKernels}, rows spread over a
 * {@link ParallelLoop} in fixed blocks (each output element is computed by one task in a fixed order, so the
 * thread count never changes a bit). What a backend without ops of its own gives, saying so; and, with its
 * BLAS, the {@code cpu} backend's own ops.
 */
public final class HostOps implements Ops {
    /** Rows of a product or a norm per task: enough work to pay for a hand-off, few enough to spread. */
    private static final long MIN_TASK_WORK = 1 << 15;

    /** The host ops on the calling thread: for work done before (or without) a backend. */
    public static final HostOps ON_THIS_THREAD = new HostOps(ParallelLoop.SEQUENTIAL, Activations.STANDARD,
            "host (Java loops, this thread)");

    private final ParallelLoop loop;
    private final Activations activations;
    private final String description;
    /** Large products' native path, or null for Java loops only. */
    private final HostGemm gemm;

    /** Over {@code loop}'s threads, with {@code activations}' sigmoid for the gates; products in Java loops. */
    public HostOps(ParallelLoop loop, Activations activations, String description) {
        this(loop, activations, description, null);
    }

    /** As the other constructor, handing {@code gemm} the products it accepts (none when null). */
    public HostOps(ParallelLoop loop, Activations activations, String description, HostGemm gemm) {
        this.loop = loop;
        this.activations = activations;
        this.description = description;
        this.gemm = gemm;
    }

    /** The host ops standing in for {@code backend}, which has none of its own, on its threads and activations. */
    public static HostOps standingIn(String backend, ParallelLoop loop, Activations activations,
                                     org.pararnn.api.spi.BackendOptions options) {
        return new HostOps(loop, activations, "host (Java loops); backend " + backend + " offers no ops of its own",
                HostGemm.installed(options));
    }

    /**
     * The host ops standing in for {@code backend}, whose own ops take only its device arrays, for work
     * whose data is in Java arrays.
     */
    public static HostOps besideDeviceOps(String backend, ParallelLoop loop, Activations activations,
                                          org.pararnn.api.spi.BackendOptions options) {
        return new HostOps(loop, activations, "host (Java loops) on Java arrays; backend " + backend
                + "'s own ops take its device arrays only", HostGemm.installed(options));
    }

    @Override
    public boolean takesHostArrays() {
        return true;
    }

    @Override
    public String describe() {
        return gemm == null ? description : description + "; " + gemm.describe();
    }

    @Override
    public DeviceArray allocate(String name, long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": the host ops hold at most " + (Integer.MAX_VALUE - 8)
                    + " floats in one array, asked for " + length);
        }
        return HostArray.of(name, new float[(int) length]);
    }

    private static float[] data(DeviceArray a) {
        if (a instanceof HostArray h) {
            return h.data();
        }
        throw OpsShapes.foreign(a, "the host ops");
    }

    @Override
    public void fill(DeviceArray array, float value) {
        java.util.Arrays.fill(data(array), value);
    }

    @Override
    public void copy(Matrix src, Matrix dst) {
        OpsShapes.sameShape("copy", src, dst);
        OpsShapes.distinct("copy", src, dst);
        float[] s = data(src.array());
        float[] d = data(dst.array());
        int w = src.cols();
        if (src.ld() == w && dst.ld() == w) {
            System.arraycopy(s, (int) src.offset(), d, (int) dst.offset(), src.rows() * w);
            return;
        }
        for (int r = 0; r < src.rows(); r++) {
            System.arraycopy(s, (int) src.offset() + r * src.ld(), d, (int) dst.offset() + r * dst.ld(), w);
        }
    }

    @Override
    public void upload(float[] src, int srcOffset, DeviceArray dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, data(dst), Math.toIntExact(dstOffset), length);
    }

    @Override
    public void download(DeviceArray src, long srcOffset, float[] dst, int dstOffset, int length) {
        System.arraycopy(data(src), Math.toIntExact(srcOffset), dst, dstOffset, length);
    }

    @Override
    public DeviceInts allocateInts(String name, long length) {
        if (length < 0 || length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(name + ": the host ops hold at most " + (Integer.MAX_VALUE - 8)
                    + " ints in one array, asked for " + length);
        }
        return HostInts.of(name, new int[(int) length]);
    }

    @Override
    public void uploadInts(int[] src, int srcOffset, DeviceInts dst, long dstOffset, int length) {
        System.arraycopy(src, srcOffset, ints(dst), Math.toIntExact(dstOffset), length);
    }

    @Override
    public void downloadInts(DeviceInts src, long srcOffset, int[] dst, int dstOffset, int length) {
        System.arraycopy(ints(src), Math.toIntExact(srcOffset), dst, dstOffset, length);
    }

    /** The tokens, each checked to lie in {@code [0, vocab)}. */
    private static int[] tokensIn(DeviceInts tokens, int vocab) {
        int[] tok = ints(tokens);
        for (int r = 0; r < tok.length; r++) {
            if (tok[r] < 0 || tok[r] >= vocab) {
                throw OpsShapes.tokenOutside(tok[r], r, vocab);
            }
        }
        return tok;
    }

    private static int[] ints(DeviceInts a) {
        if (a instanceof HostInts h) {
            return h.data();
        }
        throw OpsShapes.foreign(a, "the host ops");
    }

    @Override
    public void embedding(DeviceInts tokens, int steps, DeviceArray table, DeviceArray positions, Matrix out) {
        int v = OpsShapes.embedding("embedding", tokens, steps, table, positions, out);
        requireContiguous("embedding", out);
        int[] tok = tokensIn(tokens, v);
        float[] t = data(table);
        float[] p = positions == null ? null : data(positions);
        float[] o = data(out.array());
        forRows(out.rows(), out.cols(), (from, to) -> EmbeddingKernels.gather(tok, t, p, steps, o, from, to, out.cols()));
    }

    @Override
    public void embeddingBackward(DeviceInts tokens, int steps, Matrix dOut, DeviceArray gradTable, DeviceArray gradPositions) {
        int v = OpsShapes.embedding("embeddingBackward", tokens, steps, gradTable, gradPositions, dOut);
        requireContiguous("embeddingBackward", dOut);
        int[] tok = tokensIn(tokens, v);
        float[] gt = data(gradTable);
        float[] gp = gradPositions == null ? null : data(gradPositions);
        float[] d = data(dOut.array());
        int width = dOut.cols();
        // Columns in blocks: each gradient element's rows are added in order by one task.
        int blocks = Math.max(1, Math.min(width, loop.parallelism()));
        if ((long) dOut.rows() * width < MIN_TASK_WORK) {
            EmbeddingKernels.scatterAdd(tok, d, dOut.rows(), gt, gp, steps, 0, width, width);
        } else {
            loop.forEach(blocks, k -> EmbeddingKernels.scatterAdd(tok, d, dOut.rows(), gt, gp, steps, width * k / blocks,
                    width * (k + 1) / blocks, width));
        }
    }

    @Override
    public void matmul(Matrix a, boolean transA, Matrix b, boolean transB, float alpha, float beta, Matrix c) {
        int k = OpsShapes.matmul(a, transA, b, transB, c);
        float[] ad = data(a.array());
        float[] bd = data(b.array());
        float[] cd = data(c.array());
        int m = c.rows();
        int n = c.cols();
        int aOff = (int) a.offset();
        int cOff = (int) c.offset();
        if (gemm != null && gemm.accepts(m, n, k)) {
            gemm.sgemm(transA, transB, m, n, k, alpha, ad, aOff, a.ld(), bd, (int) b.offset(), b.ld(), beta, cd, cOff, c.ld());
            return;
        }
        // Blocks of C's rows: op(A)'s rows i sit at i·lda (or, transposed, at column i).
        forRows(m, (long) n * Math.max(k, 1), (from, to) -> JavaGemm.loops(transA, transB, to - from, n, k, alpha, ad,
                aOff + (transA ? from : from * a.ld()), a.ld(), bd, (int) b.offset(), b.ld(), beta, cd, cOff + from * c.ld(),
                c.ld()));
    }

    @Override
    public void rmsNorm(Matrix x, DeviceArray gain, Matrix y, DeviceArray invRms) {
        OpsShapes.rmsNorm("rmsNorm", x, gain, y, invRms);
        float[] xd = data(x.array());
        float[] yd = data(y.array());
        float[] g = data(gain);
        float[] inv = data(invRms);
        forRows(x.rows(), x.cols(), (from, to) -> RmsNormKernels.rmsNorm(xd, (int) x.offset(), x.ld(), g, yd, (int) y.offset(),
                y.ld(), inv, from, to, x.cols()));
    }

    @Override
    public void rmsNormBackward(Matrix x, DeviceArray gain, DeviceArray invRms, Matrix dy, Matrix dx, boolean accumulate,
                                DeviceArray gradGain) {
        OpsShapes.rmsNorm("rmsNormBackward", x, gain, dy, invRms);
        OpsShapes.rmsNorm("rmsNormBackward", x, gradGain, dx, invRms);
        float[] xd = data(x.array());
        float[] g = data(gain);
        float[] inv = data(invRms);
        float[] dyd = data(dy.array());
        float[] dxd = data(dx.array());
        int width = x.cols();
        float[] parts = new float[RmsNormKernels.GAIN_BLOCKS * width];
        RmsNormKernels.rmsNormGainGrad(loop, xd, (int) x.offset(), x.ld(), inv, dyd, (int) dy.offset(), dy.ld(), data(gradGain),
                parts, x.rows(), width);
        forRows(x.rows(), width, (from, to) -> RmsNormKernels.rmsNormBackward(xd, (int) x.offset(), x.ld(), g, inv, dyd,
                (int) dy.offset(), dy.ld(), dxd, (int) dx.offset(), dx.ld(), accumulate, from, to, width));
    }

    @Override
    public void silu(Matrix x, Matrix sig, Matrix y) {
        OpsShapes.sameShape("silu", x, sig, y);
        requireContiguous("silu", x, sig, y);
        float[] xd = data(x.array());
        float[] sd = data(sig.array());
        float[] yd = data(y.array());
        int w = x.cols();
        forRows(x.rows(), w, (from, to) -> GateKernels.silu(activations, xd, sd, yd, from * w, to * w));
    }

    @Override
    public void siluBackward(Matrix x, Matrix sig, Matrix dy, Matrix dx) {
        OpsShapes.sameShape("siluBackward", x, sig, dy, dx);
        requireContiguous("siluBackward", x, sig, dy, dx);
        float[] xd = data(x.array());
        float[] sd = data(sig.array());
        float[] dyd = data(dy.array());
        float[] dxd = data(dx.array());
        int w = x.cols();
        forRows(x.rows(), w, (from, to) -> GateKernels.siluBackward(xd, sd, dyd, dxd, from * w, to * w));
    }

    @Override
    public void siluGate(Matrix g, Matrix u, Matrix sig, Matrix out) {
        OpsShapes.sameShape("siluGate", g, u, sig, out);
        requireContiguous("siluGate", sig, out);
        float[] gd = data(g.array());
        float[] ud = data(u.array());
        float[] sd = data(sig.array());
        float[] od = data(out.array());
        forRows(g.rows(), g.cols(), (from, to) -> GateKernels.siluGate(activations, gd, (int) g.offset(), g.ld(), ud,
                (int) u.offset(), u.ld(), sd, od, from, to, g.cols()));
    }

    @Override
    public void siluGateBackward(Matrix g, Matrix u, Matrix sig, Matrix dOut, Matrix dg, Matrix du) {
        OpsShapes.sameShape("siluGateBackward", g, u, sig, dOut, dg, du);
        requireContiguous("siluGateBackward", sig, dOut);
        float[] gd = data(g.array());
        float[] ud = data(u.array());
        float[] sd = data(sig.array());
        float[] dod = data(dOut.array());
        float[] dgd = data(dg.array());
        float[] dud = data(du.array());
        forRows(g.rows(), g.cols(), (from, to) -> GateKernels.siluGateBackward(gd, (int) g.offset(), g.ld(), ud, (int) u.offset(),
                u.ld(), sd, dod, dgd, (int) dg.offset(), dg.ld(), dud, (int) du.offset(), du.ld(), from, to, g.cols()));
    }

    @Override
    public void scaledResidual(Matrix y, DeviceArray scale, Matrix x) {
        OpsShapes.sameShape("scaledResidual", y, x);
        OpsShapes.perColumn("scaledResidual", scale, y);
        float[] yd = data(y.array());
        float[] s = data(scale);
        float[] xd = data(x.array());
        forRows(y.rows(), y.cols(), (from, to) -> GateKernels.scaledResidual(yd, (int) y.offset(), y.ld(), s, xd, (int) x.offset(),
                x.ld(), from, to, y.cols()));
    }

    @Override
    public void scaledResidualBackward(Matrix y, DeviceArray scale, Matrix dx, Matrix dy, DeviceArray gradScale) {
        OpsShapes.sameShape("scaledResidualBackward", y, dx, dy);
        OpsShapes.perColumn("scaledResidualBackward", scale, y);
        OpsShapes.perColumn("scaledResidualBackward", gradScale, y);
        float[] yd = data(y.array());
        float[] s = data(scale);
        float[] dxd = data(dx.array());
        float[] dyd = data(dy.array());
        float[] gs = data(gradScale);
        int width = y.cols();
        int rows = y.rows();
        // The scale's gradient by column blocks (each column's rows in order, by one task), then dy by rows.
        int blocks = (long) rows * width < MIN_TASK_WORK ? 1 : Math.max(1, Math.min(width / 8, loop.parallelism()));
        if (blocks <= 1) {
            GateKernels.scaledResidualScaleGrad(dxd, (int) dx.offset(), dx.ld(), yd, (int) y.offset(), y.ld(), gs, rows, 0, width);
        } else {
            loop.forEach(blocks, k -> GateKernels.scaledResidualScaleGrad(dxd, (int) dx.offset(), dx.ld(), yd, (int) y.offset(), y.ld(),
                    gs, rows, width * k / blocks, width * (k + 1) / blocks));
        }
        forRows(rows, width, (from, to) -> GateKernels.scaledResidualInputGrad(dxd, (int) dx.offset(), dx.ld(), s, dyd,
                (int) dy.offset(), dy.ld(), from, to, width));
    }

    @Override
    public void causalConv(Matrix x, int batch, int steps, DeviceArray weight, DeviceArray bias, DeviceArray history,
                           Matrix y) {
        int k = OpsShapes.causalConv("causalConv", x, batch, steps, weight, bias, history, y);
        int d = x.cols();
        requireContiguous("causalConv", y);
        float[] wt = new float[k * d];
        ConvKernels.transposeKernel(data(weight), wt, d, k);
        float[] xd = data(x.array());
        float[] yd = data(y.array());
        float[] b = data(bias);
        float[] h = history == null ? null : data(history);
        forRows(batch, (long) steps * d * k, (from, to) -> ConvKernels.causalConv(xd, (int) x.offset(), x.ld(), wt, b, h, yd,
                from, to, steps, d, k));
    }

    @Override
    public void causalConvBackward(Matrix x, int batch, int steps, DeviceArray weight, Matrix dy, Matrix dx,
                                   DeviceArray gradWeight, DeviceArray gradBias) {
        int k = OpsShapes.causalConv("causalConvBackward", x, batch, steps, weight, gradBias, null, dy);
        OpsShapes.causalConv("causalConvBackward", x, batch, steps, gradWeight, gradBias, null, dx);
        int d = x.cols();
        requireContiguous("causalConvBackward", dy);
        float[] wt = new float[k * d];
        ConvKernels.transposeKernel(data(weight), wt, d, k);
        float[] xd = data(x.array());
        float[] dyd = data(dy.array());
        float[] dxd = data(dx.array());
        float[][] parts = new float[batch][(k + 1) * d];
        forRows(batch, (long) steps * d * k, (from, to) -> {
            for (int b = from; b < to; b++) {
                ConvKernels.causalConvParamPart(xd, (int) x.offset(), x.ld(), dyd, parts[b], b, steps, d, k);
            }
            ConvKernels.causalConvBackward(wt, dyd, dxd, (int) dx.offset(), dx.ld(), from, to, steps, d, k);
        });
        ConvKernels.addConvParts(parts, batch, data(gradWeight), data(gradBias), d, k);
    }

    /** The host's element-wise and convolution loops address these operands as contiguous arrays from element 0. */
    private static void requireContiguous(String op, Matrix... m) {
        OpsShapes.contiguous(op, "the host ops", m);
    }

    /** Rows of a loss block: the forward's partial sums are kept per block and added in block order. */
    private static final int LOSS_BLOCK = 64;

    @Override
    public CrossEntropySums crossEntropy(Matrix logits, DeviceInts targets, DeviceInts predictions) {
        OpsShapes.crossEntropy("crossEntropy", logits, targets, predictions);
        int rows = logits.rows();
        int v = logits.cols();
        int[] tg = targetsIn("crossEntropy", targets, rows, v);
        int[] pred = ints(predictions);
        float[] x = data(logits.array());
        int off = (int) logits.offset();
        int blocks = (rows + LOSS_BLOCK - 1) / LOSS_BLOCK;
        double[][] parts = new double[blocks][3];
        forRows(blocks, (long) LOSS_BLOCK * v * 4, (from, to) -> {
            for (int k = from; k < to; k++) {
                LossKernels.forward(x, off, logits.ld(), tg, pred, k * LOSS_BLOCK, Math.min(rows, (k + 1) * LOSS_BLOCK), v,
                        parts[k]);
            }
        });
        double ce = 0;
        double z = 0;
        long counted = 0;
        for (double[] p : parts) {
            ce += p[0];
            z += p[1];
            counted += (long) p[2];
        }
        return new CrossEntropySums(ce, z, (int) counted);
    }

    @Override
    public void crossEntropyBackward(Matrix logits, DeviceInts targets, float zLoss, int counted, Matrix dLogits) {
        OpsShapes.crossEntropy("crossEntropyBackward", logits, targets, null);
        OpsShapes.sameShape("crossEntropyBackward", logits, dLogits);
        int rows = logits.rows();
        int v = logits.cols();
        float[] x = data(logits.array());
        float[] dx = data(dLogits.array());
        if (dx == x && (dLogits.offset() != logits.offset() || dLogits.ld() != logits.ld())) {
            throw new IllegalArgumentException("crossEntropyBackward: " + dLogits.describe()
                    + " shares the logits' array without being them (in place needs the same offset and leading dimension)");
        }
        int[] tg = targetsIn("crossEntropyBackward", targets, rows, v);
        forRows(rows, (long) v * 4, (from, to) -> LossKernels.backward(x, (int) logits.offset(), logits.ld(), tg, zLoss, counted,
                dx, (int) dLogits.offset(), dLogits.ld(), from, to, v));
    }

    /** The first {@code rows} targets, each {@code −1} or in {@code [0, classes)}. */
    private static int[] targetsIn(String op, DeviceInts targets, int rows, int classes) {
        int[] tg = ints(targets);
        for (int r = 0; r < rows; r++) {
            if (tg[r] < -1 || tg[r] >= classes) {
                throw OpsShapes.targetOutside(op, tg[r], r, classes);
            }
        }
        return tg;
    }

    @Override
    public void adamW(DeviceArray param, DeviceArray grad, DeviceArray m, DeviceArray v, AdamWStep step) {
        OpsShapes.adamW(param, grad, m, v);
        float[] w = data(param);
        float[] g = data(grad);
        float[] md = data(m);
        float[] vd = data(v);
        forRows(w.length, 1, (from, to) -> OptimizerKernels.adamW(w, g, md, vd, step, from, to));
    }

    @Override
    public double sumOfSquares(DeviceArray a) {
        float[] d = data(a);
        return OptimizerKernels.sumOfSquares(d, 0, d.length);
    }

    @Override
    public void broadcastRows(DeviceArray row, Matrix dst) {
        OpsShapes.perColumn("broadcastRows", row, dst);
        float[] v = data(row);
        float[] d = data(dst.array());
        int w = dst.cols();
        forRows(dst.rows(), w, (from, to) -> {
            for (int r = from; r < to; r++) {
                System.arraycopy(v, 0, d, (int) dst.offset() + r * dst.ld(), w);
            }
        });
    }

    @Override
    public void addColumnSums(Matrix src, DeviceArray dst) {
        OpsShapes.perColumn("addColumnSums", dst, src);
        float[] s = data(src.array());
        float[] d = data(dst);
        int w = src.cols();
        int base = (int) src.offset();
        // Row by row: each d[j] still receives its rows one by one in order, as one thread per column would add them.
        for (int r = 0; r < src.rows(); r++) {
            int o = base + r * src.ld();
            for (int j = 0; j < w; j++) {
                d[j] += s[o + j];
            }
        }
    }

    @Override
    public void clamp(DeviceArray a, float limit) {
        OpsShapes.clampLimit(a, limit);
        float[] v = data(a);
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.max(-limit, Math.min(limit, v[i]));
        }
    }

    private interface RowRange {
        void run(int from, int to);
    }

    /** Rows {@code [0, rows)} in contiguous blocks over the loop, each of at least {@link #MIN_TASK_WORK} work. */
    private void forRows(int rows, long workPerRow, RowRange body) {
        long total = rows * Math.max(1, workPerRow);
        int tasks = (int) Math.max(1, Math.min(Math.min(rows, 4L * loop.parallelism()), total / MIN_TASK_WORK));
        if (tasks <= 1) {
            body.run(0, rows);
            return;
        }
        loop.forEach(tasks, t -> body.run((int) ((long) rows * t / tasks), (int) ((long) rows * (t + 1) / tasks)));
    }
}
