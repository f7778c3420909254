package org.pararnn.backend.cpu;

import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ScanProblem;

/**
 * Multithreaded linear scans for every structure.
 *
 * <p>With at least as many sequences as threads, each thread scans whole sequences: no extra work.
 * Otherwise every sequence is cut into chunks and solved in three phases (the CPU form of the reference
 * kernel's hierarchy): (1) in parallel, each chunk is scanned from a zero carry while its transition
 * product {@code P = A_e⋯A_s} is composed; (2) per sequence, the true carry into each chunk is chained
 * through the products, one small step per chunk; (3) in parallel, each chunk adds the propagated
 * carry {@code (A_t⋯A_s)·carry} to its local result. Diagonal rows run on {@link DiagonalKernels}
 * (SIMD across features); two and three blocks have their own loops on plain locals; wider blocks and
 * dense rows use the structure's own multiply and compose.
 * All scratch is allocated per task, none per step.
 */
final class CpuScan implements LinearScan {
    private final CpuLoop loop;
    private final DiagonalKernels kernels;
    private final boolean alwaysChunk;

    CpuScan(CpuLoop loop, DiagonalKernels kernels) {
        this(loop, kernels, false);
    }

    /** A scan that chunks whenever the batch leaves threads idle, whether or not it pays (tests). */
    CpuScan(CpuLoop loop, DiagonalKernels kernels, boolean alwaysChunk) {
        this.loop = loop;
        this.kernels = kernels;
        this.alwaysChunk = alwaysChunk;
    }

    @Override
    public boolean supports(JacobianStructure structure) {
        return true;
    }

    /**
     * Chunks per sequence for {@code batch} sequences of {@code len} steps of {@code structure}.
     *
     * <p>Chunking pays only with threads to spare: each chunk is still a chain of dependent steps, and the
     * product and fix-up passes add about 1.3 scans of work (diagonal), so a sequence needs at least four
     * threads to come out ahead (on 2 cores it measured slower at every width: README, "Where the defaults come from"). Dense and
     * blocks wider than 3 never chunk: composing the transfer product costs {@code k} times a step.
     */
    int chunks(int batch, int len, JacobianStructure structure) {
        int threads = loop.parallelism();
        if (threads == 1 || batch >= threads) {
            return 1;
        }
        boolean narrow = structure instanceof JacobianStructure.Diagonal
                || structure instanceof JacobianStructure.BlockDiagonal bd && bd.blocks() <= 3;
        if (!alwaysChunk && (threads < 4 * batch || !narrow)) {
            return 1;
        }
        // A few chunks per thread, so the work-stealing pool evens out phase 1's imbalance.
        return TimeChunks.count(batch, 4 * threads, len);
    }

    private static int bound(int from, int len, int chunks, int k) {
        return from + TimeChunks.start(len, chunks, k);
    }

    @Override
    public void forward(ScanProblem p) {
        int batch = p.batch();
        int len = p.to() - p.from();
        int chunks = chunks(batch, len, p.structure());
        if (chunks == 1) {
            loop.forEach(batch, b -> new Rows(p).forward(b, p.from(), p.to(), p.init(), b * p.width()));
            return;
        }
        int s = p.width();
        int c = p.coefficientsPerStep();
        float[] products = new float[batch * chunks * c];
        float[] carries = new float[batch * chunks * s];
        loop.forEach(batch * chunks, i -> {
            int b = i / chunks;
            int k = i % chunks;
            Rows rows = new Rows(p);
            int from = bound(p.from(), len, chunks, k);
            int to = bound(p.from(), len, chunks, k + 1);
            if (k == 0) {
                rows.forward(b, from, to, p.init(), b * s);
            } else {
                rows.forward(b, from, to, null, 0);
                rows.forwardProduct(b, from, to, products, i * c);
            }
        });
        JacobianStructure st = p.structure();
        float[] tmp = new float[s];
        for (int b = 0; b < batch; b++) {
            int row = b * p.steps();
            // Chunk 1's carry is chunk 0's (exact) last state.
            System.arraycopy(p.out(), (row + bound(p.from(), len, chunks, 1) - 1) * s, carries, (b * chunks + 1) * s, s);
            for (int k = 2; k < chunks; k++) {
                int prevEnd = bound(p.from(), len, chunks, k) - 1;
                st.multiply(products, (b * chunks + k - 1) * c, carries, (b * chunks + k - 1) * s, tmp, 0, s);
                int dst = (b * chunks + k) * s;
                int local = (row + prevEnd) * s;
                for (int q = 0; q < s; q++) {
                    carries[dst + q] = p.out()[local + q] + tmp[q];
                }
            }
        }
        loop.forEach(batch * (chunks - 1), i -> {
            int b = i / (chunks - 1);
            int k = 1 + i % (chunks - 1);
            new Rows(p).forwardFixup(b, bound(p.from(), len, chunks, k), bound(p.from(), len, chunks, k + 1),
                    carries, (b * chunks + k) * s);
        });
    }

    @Override
    public void reverse(ScanProblem p) {
        p.checkReverseCarry();
        int batch = p.batch();
        int len = p.to() - p.from();
        int chunks = chunks(batch, len, p.structure());
        int s = p.width();
        if (chunks == 1) {
            loop.forEach(batch, b -> new Rows(p).reverse(b, p.from(), p.to(), p.init(), b * s));
            return;
        }
        int c = p.coefficientsPerStep();
        float[] products = new float[batch * chunks * c];
        float[] carries = new float[batch * chunks * s];
        int last = chunks - 1;
        loop.forEach(batch * chunks, i -> {
            int b = i / chunks;
            int k = i % chunks;
            Rows rows = new Rows(p);
            int from = bound(p.from(), len, chunks, k);
            int to = bound(p.from(), len, chunks, k + 1);
            if (k == last) {
                rows.reverse(b, from, to, p.init(), b * s);
            } else {
                rows.reverse(b, from, to, null, 0);
                rows.reverseProduct(b, from, to, products, i * c);
            }
        });
        JacobianStructure st = p.structure();
        float[] tmp = new float[s];
        for (int b = 0; b < batch; b++) {
            int row = b * p.steps();
            // carries[k] = λ at the first step after chunk k, i.e. the true value at chunk k+1's start.
            System.arraycopy(p.out(), (row + bound(p.from(), len, chunks, last)) * s, carries, (b * chunks + last - 1) * s, s);
            for (int k = last - 2; k >= 0; k--) {
                int nextStart = bound(p.from(), len, chunks, k + 1);
                st.multiply(products, (b * chunks + k + 1) * c, carries, (b * chunks + k + 1) * s, tmp, 0, s);
                int dst = (b * chunks + k) * s;
                int local = (row + nextStart) * s;
                for (int q = 0; q < s; q++) {
                    carries[dst + q] = p.out()[local + q] + tmp[q];
                }
            }
        }
        loop.forEach(batch * last, i -> {
            int b = i / last;
            int k = i % last;
            new Rows(p).reverseFixup(b, bound(p.from(), len, chunks, k), bound(p.from(), len, chunks, k + 1),
                    carries, (b * chunks + k) * s);
        });
    }

    /** Per-task row operations with their own scratch. */
    private final class Rows {
        final ScanProblem p;
        final JacobianStructure st;
        final boolean diagonal;
        /** Two blocks (ParaLSTM's structure): a fast path on plain locals instead of the structure's generic loops. */
        final boolean two;
        /** Three blocks: the same on nine coefficients. */
        final boolean three;
        final int s;
        final int c;
        final float[] tmp;
        final float[] tmp2;

        Rows(ScanProblem p) {
            this.p = p;
            this.st = p.structure();
            this.diagonal = st instanceof JacobianStructure.Diagonal;
            this.two = st instanceof JacobianStructure.BlockDiagonal bd && bd.blocks() == 2;
            this.three = st instanceof JacobianStructure.BlockDiagonal bd3 && bd3.blocks() == 3;
            this.s = p.width();
            this.c = p.coefficientsPerStep();
            this.tmp = new float[Math.max(s, c)];
            this.tmp2 = new float[Math.max(s, c)];
        }

        /** Sequential forward of batch element {@code b} over {@code [from, to)} from {@code init} (null: zeros). */
        void forward(int b, int from, int to, float[] init, int initOff) {
            float[] a = p.a();
            float[] bb = p.b();
            float[] out = p.out();
            int row0 = b * p.steps();
            float[] prev = init;
            int prevOff = initOff;
            for (int t = from; t < to; t++) {
                int off = (row0 + t) * s;
                if (prev == null) {
                    if (out != bb) {
                        System.arraycopy(bb, off, out, off, s);
                    }
                } else if (diagonal) {
                    kernels.fma(a, (row0 + t) * c, prev, prevOff, bb, off, out, off, s);
                } else if (two) {
                    stepTwo(a, (row0 + t) * c, false, prev, prevOff, bb, out, off);
                } else if (three) {
                    stepThree(a, (row0 + t) * c, false, prev, prevOff, bb, out, off);
                } else {
                    st.multiply(a, (row0 + t) * c, prev, prevOff, tmp, 0, s);
                    for (int q = 0; q < s; q++) {
                        out[off + q] = tmp[q] + bb[off + q];
                    }
                }
                prev = out;
                prevOff = off;
            }
        }

        /**
         * {@code out = A·x + b} (or {@code Aᵀ·x + b}) for two blocks of {@code m = S/2} features, in the
         * generic multiply's operation order (the same roundings; only the sign of an exact zero may differ).
         */
        private void stepTwo(float[] a, int aOff, boolean transposed, float[] x, int xOff, float[] bb, float[] out,
                             int off) {
            int m = s / 2;
            int o01 = transposed ? 2 * m : m;
            int o10 = transposed ? m : 2 * m;
            for (int q = 0; q < m; q++) {
                float x0 = x[xOff + q];
                float x1 = x[xOff + m + q];
                float v0 = a[aOff + q] * x0 + a[aOff + o01 + q] * x1;
                float v1 = a[aOff + o10 + q] * x0 + a[aOff + 3 * m + q] * x1;
                out[off + q] = v0 + bb[off + q];
                out[off + m + q] = v1 + bb[off + m + q];
            }
        }

        /** {@code delta ← A·delta} (or {@code Aᵀ·delta}) and {@code out += delta}, two blocks. */
        private void propagateTwo(float[] a, int aOff, boolean transposed, float[] delta, float[] out, int off) {
            int m = s / 2;
            int o01 = transposed ? 2 * m : m;
            int o10 = transposed ? m : 2 * m;
            for (int q = 0; q < m; q++) {
                float x0 = delta[q];
                float x1 = delta[m + q];
                float v0 = a[aOff + q] * x0 + a[aOff + o01 + q] * x1;
                float v1 = a[aOff + o10 + q] * x0 + a[aOff + 3 * m + q] * x1;
                delta[q] = v0;
                delta[m + q] = v1;
                out[off + q] += v0;
                out[off + m + q] += v1;
            }
        }

        /** Offset of coefficient {@code (i, j)} of a 3-block step, or of {@code (j, i)} when transposed. */
        private int at3(int i, int j, boolean transposed) {
            return (transposed ? j * 3 + i : i * 3 + j) * (s / 3);
        }

        /** {@code out = A·x + b} (or {@code Aᵀ·x + b}) for three blocks, in the generic multiply's order. */
        private void stepThree(float[] a, int aOff, boolean tr, float[] x, int xOff, float[] bb, float[] out, int off) {
            int m = s / 3;
            int o00 = aOff + at3(0, 0, tr);
            int o01 = aOff + at3(0, 1, tr);
            int o02 = aOff + at3(0, 2, tr);
            int o10 = aOff + at3(1, 0, tr);
            int o11 = aOff + at3(1, 1, tr);
            int o12 = aOff + at3(1, 2, tr);
            int o20 = aOff + at3(2, 0, tr);
            int o21 = aOff + at3(2, 1, tr);
            int o22 = aOff + at3(2, 2, tr);
            for (int q = 0; q < m; q++) {
                float x0 = x[xOff + q];
                float x1 = x[xOff + m + q];
                float x2 = x[xOff + 2 * m + q];
                float v0 = a[o00 + q] * x0 + a[o01 + q] * x1 + a[o02 + q] * x2;
                float v1 = a[o10 + q] * x0 + a[o11 + q] * x1 + a[o12 + q] * x2;
                float v2 = a[o20 + q] * x0 + a[o21 + q] * x1 + a[o22 + q] * x2;
                out[off + q] = v0 + bb[off + q];
                out[off + m + q] = v1 + bb[off + m + q];
                out[off + 2 * m + q] = v2 + bb[off + 2 * m + q];
            }
        }

        /** {@code delta ← A·delta} (or {@code Aᵀ·delta}) and {@code out += delta}, three blocks. */
        private void propagateThree(float[] a, int aOff, boolean tr, float[] delta, float[] out, int off) {
            int m = s / 3;
            int o00 = aOff + at3(0, 0, tr);
            int o01 = aOff + at3(0, 1, tr);
            int o02 = aOff + at3(0, 2, tr);
            int o10 = aOff + at3(1, 0, tr);
            int o11 = aOff + at3(1, 1, tr);
            int o12 = aOff + at3(1, 2, tr);
            int o20 = aOff + at3(2, 0, tr);
            int o21 = aOff + at3(2, 1, tr);
            int o22 = aOff + at3(2, 2, tr);
            for (int q = 0; q < m; q++) {
                float x0 = delta[q];
                float x1 = delta[m + q];
                float x2 = delta[2 * m + q];
                float v0 = a[o00 + q] * x0 + a[o01 + q] * x1 + a[o02 + q] * x2;
                float v1 = a[o10 + q] * x0 + a[o11 + q] * x1 + a[o12 + q] * x2;
                float v2 = a[o20 + q] * x0 + a[o21 + q] * x1 + a[o22 + q] * x2;
                delta[q] = v0;
                delta[m + q] = v1;
                delta[2 * m + q] = v2;
                out[off + q] += v0;
                out[off + m + q] += v1;
                out[off + 2 * m + q] += v2;
            }
        }

        /** {@code products[pOff..] = A_{to−1}⋯A_from}. */
        void forwardProduct(int b, int from, int to, float[] products, int pOff) {
            int row0 = b * p.steps();
            float[] a = p.a();
            if (diagonal) {
                System.arraycopy(a, (row0 + from) * c, products, pOff, s);
                for (int t = from + 1; t < to; t++) {
                    scaleInto(a, (row0 + t) * c, products, pOff);
                }
                return;
            }
            System.arraycopy(a, (row0 + from) * c, tmp, 0, c);
            for (int t = from + 1; t < to; t++) {
                st.compose(a, (row0 + t) * c, tmp, 0, tmp2, 0, s);
                System.arraycopy(tmp2, 0, tmp, 0, c);
            }
            System.arraycopy(tmp, 0, products, pOff, c);
        }

        private void scaleInto(float[] a, int aOff, float[] products, int pOff) {
            for (int q = 0; q < s; q++) {
                products[pOff + q] *= a[aOff + q];
            }
        }

        /** {@code out_t += (A_t⋯A_from)·carry} for {@code t ∈ [from, to)}. */
        void forwardFixup(int b, int from, int to, float[] carries, int cOff) {
            int row0 = b * p.steps();
            float[] a = p.a();
            float[] out = p.out();
            float[] delta = new float[s];
            System.arraycopy(carries, cOff, delta, 0, s);
            for (int t = from; t < to; t++) {
                int off = (row0 + t) * s;
                if (diagonal) {
                    kernels.propagateAdd(a, (row0 + t) * c, delta, out, off, s);
                } else if (two) {
                    propagateTwo(a, (row0 + t) * c, false, delta, out, off);
                } else if (three) {
                    propagateThree(a, (row0 + t) * c, false, delta, out, off);
                } else {
                    st.multiply(a, (row0 + t) * c, delta, 0, tmp, 0, s);
                    for (int q = 0; q < s; q++) {
                        delta[q] = tmp[q];
                        out[off + q] += tmp[q];
                    }
                }
            }
        }

        /** Sequential reverse over {@code [from, to)} with carry {@code λ_to} (null: none). */
        void reverse(int b, int from, int to, float[] carry, int carryOff) {
            float[] a = p.a();
            float[] bb = p.b();
            float[] out = p.out();
            int row0 = b * p.steps();
            float[] next = carry;
            int nextOff = carryOff;
            for (int t = to - 1; t >= from; t--) {
                int off = (row0 + t) * s;
                int aNext = (row0 + t + 1) * c;
                if (next == null) {
                    if (out != bb) {
                        System.arraycopy(bb, off, out, off, s);
                    }
                } else if (diagonal) {
                    kernels.fma(a, aNext, next, nextOff, bb, off, out, off, s);
                } else if (two) {
                    stepTwo(a, aNext, true, next, nextOff, bb, out, off);
                } else if (three) {
                    stepThree(a, aNext, true, next, nextOff, bb, out, off);
                } else {
                    st.multiplyTransposed(a, aNext, next, nextOff, tmp, 0, s);
                    for (int q = 0; q < s; q++) {
                        out[off + q] = tmp[q] + bb[off + q];
                    }
                }
                next = out;
                nextOff = off;
            }
        }

        /** {@code products[pOff..] = A_{from+1}ᵀ⋯A_{to}ᵀ}: how {@code λ_to} reaches {@code out_from}. */
        void reverseProduct(int b, int from, int to, float[] products, int pOff) {
            int row0 = b * p.steps();
            float[] a = p.a();
            if (diagonal) {
                System.arraycopy(a, (row0 + to) * c, products, pOff, s);
                for (int t = to - 1; t > from; t--) {
                    scaleInto(a, (row0 + t) * c, products, pOff);
                }
                return;
            }
            st.identity(tmp2, 0, s);
            st.composeTransposed(a, (row0 + to) * c, tmp2, 0, tmp, 0, s);
            for (int t = to - 1; t > from; t--) {
                st.composeTransposed(a, (row0 + t) * c, tmp, 0, tmp2, 0, s);
                System.arraycopy(tmp2, 0, tmp, 0, c);
            }
            System.arraycopy(tmp, 0, products, pOff, c);
        }

        /** {@code out_t += (A_{t+1}ᵀ⋯A_toᵀ)·λ_to} for {@code t ∈ [from, to)}. */
        void reverseFixup(int b, int from, int to, float[] carries, int cOff) {
            int row0 = b * p.steps();
            float[] a = p.a();
            float[] out = p.out();
            float[] delta = new float[s];
            System.arraycopy(carries, cOff, delta, 0, s);
            for (int t = to - 1; t >= from; t--) {
                int off = (row0 + t) * s;
                int aNext = (row0 + t + 1) * c;
                if (diagonal) {
                    kernels.propagateAdd(a, aNext, delta, out, off, s);
                } else if (two) {
                    propagateTwo(a, aNext, true, delta, out, off);
                } else if (three) {
                    propagateThree(a, aNext, true, delta, out, off);
                } else {
                    st.multiplyTransposed(a, aNext, delta, 0, tmp, 0, s);
                    for (int q = 0; q < s; q++) {
                        delta[q] = tmp[q];
                        out[off + q] += tmp[q];
                    }
                }
            }
        }
    }
}
