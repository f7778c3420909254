package org.pararnn.backend.cpu;

import java.util.Arrays;
import java.util.Locale;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.Recurrence;

/**
 * ParaGRU's part of Newton in time ({@link ChunkedNewton} drives it): each task (batch element × feature
 * block × chunk) evaluates {@code f} and the diagonal {@code J} from the old iterate, measures its residual
 * and advances the chunk-local affine scan {@code h⁺_t = J_t h⁺_{t−1} + (f_t − J_t h_{t−1})} in registers,
 * keeping the chunk's running product of Jacobians for the fix-up ({@code h⁺ += P·carry}). For a single
 * feature ({@code D = 1}) the evaluation is vectorised along time, the fix-up is folded into the next pass
 * and a check-only pass exists. The adjoint runs the same chunking in reverse ({@link #backward}).
 */
final class GruNewton {
    private final FusedParaGru gru;
    private final DiagonalKernels kernels;

    GruNewton(FusedParaGru gru, DiagonalKernels kernels) {
        this.gru = gru;
        this.kernels = kernels;
    }

    private int blocks(int batch) {
        return gru.width == 1 ? 1 : gru.blocks(batch);
    }

    /** Chunks so that tasks reach twice the pool's threads (see {@link TimeChunks#count}). */
    int chunks(int batch, int steps) {
        return TimeChunks.count(batch * blocks(batch), 2 * gru.loop.parallelism(), steps);
    }

    /** Shortest sequence for which AUTO solves in time (see {@link #pays}). */
    static final int AUTO_MIN_STEPS = 128;

    /**
     * Whether AUTO should solve in time chunks: one feature with SIMD from {@link #AUTO_MIN_STEPS} on, where
     * the sequential walk is one latency-bound chain per sequence. Several features already fill a vector per
     * step sequentially, and below that length a pass's fixed costs dominate (measurements: README, "Where the defaults come from").
     */
    boolean pays(int batch, int steps) {
        // Any batch: the sequential kernel runs each single-feature sequence as its own latency-bound
        // chain, so the per-sequence economics are those measured at B = 1.
        return gru.width == 1 && kernels.lanes() > 1 && steps >= AUTO_MIN_STEPS;
    }

    SolveReport forward(Recurrence p, float[] states, int chunks) {
        // Scratch iterate and chunk products are written before they are read: reused, not zeroed.
        float[] scratch = Workspace.floats(0, states.length);
        return ChunkedNewton.forward(new Pass(p, chunks, states.length), gru.loop, p, states, scratch);
    }

    /** One solve's pass: its shape, chunking, chunk products and (one feature) planar gate inputs. */
    private final class Pass extends ChunkedNewton.CellPass {
        private final float[] prods;
        private final float[] gates;

        Pass(Recurrence p, int chunks, int length) {
            super(gru, p, chunks, blocks(p.batch()));
            this.prods = chunks > 1 ? Workspace.floats(1, length) : null;
            // A single-feature series is evaluated along time: its gate inputs, interleaved in u, go planar in
            // the first pass (each task its own steps).
            this.gates = gru.width == 1 ? Workspace.floats(2, 3 * p.batch() * p.steps()) : null;
        }

        @Override
        public void run(float[] old, float[] carried, float[] out, int i, float[] taskRes, float[] taskScale) {
            pass(p, init, gates, old, carried, out, prods, blocks, chunks, i, taskRes, taskScale);
        }

        @Override
        public void fixUp(CpuLoop.Burst team, float[] out) {
            if (chunks > 1) {
                GruNewton.this.fixUp(team, p, out, prods, blocks, chunks);
            }
        }

        /** One feature: a chunk's fix-up is one scalar carry, applied by the next pass to its own steps. */
        @Override
        public boolean folds() {
            return gru.width == 1 && chunks > 1;
        }

        @Override
        public int carryCount() {
            return p.batch() * chunks;
        }

        @Override
        public void carries(float[] out, float[] into) {
            seriesCarries(p, out, prods, chunks, into);
        }

        @Override
        public boolean checks() {
            return gru.width == 1;
        }

        @Override
        public void check(float[] old, float[] carried, int i, float[] taskRes, float[] taskScale) {
            GruNewton.this.check(p, init, gates, old, carried, prods, chunks, i, taskRes, taskScale);
        }
    }

    /**
     * The state before task {@code i}'s first step, completing the task's part of the old iterate in place
     * first when its fix-up was folded into this pass ({@code carries} non-null).
     */
    private float seriesStart(float[] init, float[] x, float[] carries, float[] prods, int chunks, int b, int c,
                              int r0, int n) {
        if (c == 0) {
            return init[b];
        }
        if (x == null) {
            return 0f;
        }
        if (carries != null) {
            float carry = carries[b * chunks + c];
            kernels.fmaScalar(prods, r0, carry, x, r0, n);
            return carry;
        }
        return x[r0 - 1];
    }

    /** A check-only pass of task {@code i} (one feature): the old iterate's residual, nothing written but it. */
    private void check(Recurrence p, float[] init, float[] gates, float[] x, float[] carries, float[] prods,
                       int chunks, int i, float[] taskRes, float[] taskScale) {
        int steps = p.steps();
        int c = i % chunks;
        int b = i / chunks;
        int ta = TimeChunks.start(steps, chunks, c);
        int tb = TimeChunks.start(steps, chunks, c + 1);
        float hPrev = seriesStart(init, x, carries, prods, chunks, b, c, b * steps + ta, tb - ta);
        float[] run = {0f, 1f, 0f, 0f};
        float[] a = gru.a;
        gru.rows.gruResidualSeries(a[0], a[1], a[2], hPrev, x, b * steps, gates, p.batch() * steps, ta, tb, run);
        taskRes[i] = run[2];
        taskScale[i] = run[3];
    }

    /**
     * One Newton pass of task {@code i}: old iterate {@code x} (null: zero) to the chunk-local {@code y}.
     * With {@code carries} (one feature, fix-up folded), {@code x} is the previous pass's chunk-local
     * solution: the task first completes its own steps of it in place ({@code x += P·carry}, with the
     * previous pass's products) and takes the carry as the state before its first step.
     */
    private void pass(Recurrence p, float[] init, float[] gates, float[] x, float[] carries, float[] y, float[] prods,
                      int blocks, int chunks, int i, float[] taskRes, float[] taskScale) {
        int dw = gru.width;
        int steps = p.steps();
        float[] u = p.u();
        float[] a = gru.a;
        int c = i % chunks;
        int k = (i / chunks) % blocks;
        int b = i / chunks / blocks;
        int ta = TimeChunks.start(steps, chunks, c);
        int tb = TimeChunks.start(steps, chunks, c + 1);
        if (dw == 1) {
            int rows = p.batch() * steps;
            int r0 = b * steps + ta;
            if (x == null) {
                for (int r = r0; r < b * steps + tb; r++) {
                    gates[r] = u[3 * r];
                    gates[rows + r] = u[3 * r + 1];
                    gates[2 * rows + r] = u[3 * r + 2];
                }
            }
            float hPrev = seriesStart(init, x, carries, prods, chunks, b, c, r0, tb - ta);
            float[] run = {c == 0 ? init[b] : 0f, 1f, 0f, 0f};
            gru.rows.gruNewtonSeries(a[0], a[1], a[2], hPrev, x, b * steps, gates, rows, ta, tb, c > 0, y, prods, run);
            taskRes[i] = run[2];
            taskScale[i] = run[3];
            return;
        }
        int d0 = gru.blockStart(blocks, k);
        int d1 = gru.blockStart(blocks, k + 1);
        float[] zero = new float[dw];
        float[] loc = new float[dw];
        float[] prod = null;
        if (c == 0) {
            System.arraycopy(init, b * dw + d0, loc, d0, d1 - d0);
        } else {
            prod = new float[dw];
            Arrays.fill(prod, d0, d1, 1f);
        }
        float[] resMax = new float[dw];
        float[] fMax = new float[dw];
        for (int t = ta; t < tb; t++) {
            int r = b * steps + t;
            float[] prev = t == 0 ? init : x == null ? zero : x;
            int pOff = t == 0 ? b * dw : x == null ? 0 : (r - 1) * dw;
            gru.rows.gruNewton(a, dw, prev, pOff, x == null ? zero : x, x == null ? 0 : r * dw, u, r * 3 * dw, loc,
                    prod, y, r * dw, prods, resMax, fMax, d0, d1);
        }
        float res = 0f;
        float sc = 0f;
        for (int j = d0; j < d1; j++) {
            res = Math.max(res, resMax[j]);
            sc = Math.max(sc, fMax[j]);
        }
        taskRes[i] = res;
        taskScale[i] = sc;
    }

    /**
     * Single-feature chunk carries, in order, for the next pass to fold in: {@code carries[b·chunks + c]} is
     * the true state just before chunk {@code c} (chunk 0 is exact: it started from the initial state).
     * The same fused multiply-add as {@link #fixUp}, so both give the same bits.
     */
    private static void seriesCarries(Recurrence p, float[] y, float[] prods, int chunks, float[] carries) {
        int steps = p.steps();
        for (int b = 0; b < p.batch(); b++) {
            for (int c = 1; c < chunks; c++) {
                int r = b * steps + TimeChunks.start(steps, chunks, c) - 1;
                int dst = b * chunks + c;
                carries[dst] = c == 1 ? y[r] : Math.fma(prods[r], carries[dst - 1], y[r]);
            }
        }
    }

    /**
     * Chunk carries in order (chunk 0 is exact: it started from the initial state), then every later
     * chunk adds {@code P_t · carry} to its local solution, in parallel.
     */
    private void fixUp(ParallelLoop loop, Recurrence p, float[] y, float[] prods, int blocks, int chunks) {
        int dw = gru.width;
        int steps = p.steps();
        int batch = p.batch();
        float[] carries = new float[batch * chunks * dw];
        for (int b = 0; b < batch; b++) {
            for (int c = 1; c < chunks; c++) {
                int r = b * steps + TimeChunks.start(steps, chunks, c) - 1;
                int dst = (b * chunks + c) * dw;
                if (c == 1) {
                    System.arraycopy(y, r * dw, carries, dst, dw);
                } else {
                    kernels.fma(prods, r * dw, carries, dst - dw, y, r * dw, carries, dst, dw);
                }
            }
        }
        int tasks = batch * blocks * chunks;
        loop.forEach(tasks, i -> {
            int c = i % chunks;
            if (c == 0) {
                return;
            }
            int k = (i / chunks) % blocks;
            int b = i / chunks / blocks;
            int d0 = dw == 1 ? 0 : gru.blockStart(blocks, k);
            int d1 = dw == 1 ? 1 : gru.blockStart(blocks, k + 1);
            int cOff = (b * chunks + c) * dw + d0;
            int t0 = TimeChunks.start(steps, chunks, c);
            int t1 = TimeChunks.start(steps, chunks, c + 1);
            if (dw == 1) {
                // One feature: the chunk is contiguous and the carry a scalar.
                kernels.fmaScalar(prods, b * steps + t0, carries[cOff], y, b * steps + t0, t1 - t0);
                return;
            }
            for (int t = t0; t < t1; t++) {
                int o = (b * steps + t) * dw + d0;
                kernels.fma(prods, o, carries, cOff, y, o, y, o, d1 - d0);
            }
        });
    }

    /**
     * The adjoint in time chunks: each chunk runs its reverse recurrence from a zero carry, keeping the
     * local adjoint and the running product of later Jacobians (and the gates, in {@code gradU}); chunk
     * carries are combined from the last chunk back; a second pass forms the true adjoint
     * {@code l = loc + q·carry} and the gradients.
     */
    SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                         float[] gradInit, int chunks) {
        long t0 = System.nanoTime();
        int dw = gru.width;
        int steps = p.steps();
        int batch = p.batch();
        int blocks = blocks(batch);
        int tasks = batch * blocks * chunks;
        float[] init = gru.init(p);
        float[] u = p.u();
        float[] a = gru.a;
        // Every step's local adjoint and running product is written by its task before any is read.
        float[] loc = Workspace.floats(0, states.length);
        float[] q = Workspace.floats(1, states.length);
        float[] headJac = new float[batch * chunks * dw];
        gru.loop.forEach(tasks, i -> {
            int c = i % chunks;
            int k = (i / chunks) % blocks;
            int b = i / chunks / blocks;
            int d0 = gru.blockStart(blocks, k);
            int d1 = gru.blockStart(blocks, k + 1);
            float[] carry = new float[dw];
            float[] qRun = new float[dw];
            Arrays.fill(qRun, d0, d1, 1f);
            float[] jac = new float[dw];
            for (int t = TimeChunks.start(steps, chunks, c + 1) - 1; t >= TimeChunks.start(steps, chunks, c); t--) {
                int r = b * steps + t;
                gru.rows.gruAdjointLocal(a, dw, t == 0 ? init : states, t == 0 ? b * dw : (r - 1) * dw, u,
                        r * 3 * dw, gradStates, r * dw, carry, qRun, jac, gradU, loc, q, d0, d1);
            }
            System.arraycopy(jac, d0, headJac, (b * chunks + c) * dw + d0, d1 - d0);
        });
        // carryIn[c] = J_{first step of c+1} · l_{first step of c+1}, from the last chunk back.
        float[] carryIn = new float[batch * chunks * dw];
        float[] gi = gradInit != null ? gradInit : new float[batch * dw];
        for (int b = 0; b < batch; b++) {
            for (int c = chunks - 1; c >= 0; c--) {
                int r = b * steps + TimeChunks.start(steps, chunks, c);
                int src = (b * chunks + c) * dw;
                for (int d = 0; d < dw; d++) {
                    float l = Math.fma(q[r * dw + d], carryIn[src + d], loc[r * dw + d]);
                    float out = headJac[src + d] * l;
                    if (c > 0) {
                        carryIn[src - dw + d] = out;
                    } else {
                        gi[b * dw + d] = out;
                    }
                }
            }
        }
        float[][] partA = new float[tasks][];
        gru.loop.forEach(tasks, i -> {
            int c = i % chunks;
            int k = (i / chunks) % blocks;
            int b = i / chunks / blocks;
            int d0 = gru.blockStart(blocks, k);
            int d1 = gru.blockStart(blocks, k + 1);
            float[] ga = new float[a.length];
            float[] cin = Arrays.copyOfRange(carryIn, (b * chunks + c) * dw, (b * chunks + c + 1) * dw);
            for (int t = TimeChunks.start(steps, chunks, c); t < TimeChunks.start(steps, chunks, c + 1); t++) {
                int r = b * steps + t;
                gru.rows.gruAdjointFinish(a, dw, t == 0 ? init : states, t == 0 ? b * dw : (r - 1) * dw, gradU,
                        r * 3 * dw, loc, q, r * dw, cin, ga, d0, d1);
            }
            partA[i] = ga;
        });
        // Fixed task order: the sum does not depend on scheduling.
        float[] gA = grads.data("A");
        for (float[] part : partA) {
            for (int j = 0; j < gA.length; j++) {
                gA[j] += part[j];
            }
        }
        String detail = String.format(Locale.ROOT,
                "fused ParaGRU adjoint in %d time chunk(s) x %d batch x %d feature block(s)", chunks, batch, blocks);
        return new SolveReport(Mode.FUSED, Mode.FUSED, CpuBackend.NAME, detail, 0, null, true, -1, null,
                System.nanoTime() - t0);
    }
}
