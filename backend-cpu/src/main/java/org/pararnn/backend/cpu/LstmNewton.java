package org.pararnn.backend.cpu;

import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.Recurrence;

/**
 * ParaLSTM's part of Newton in time ({@link ChunkedNewton} drives it), the two-block twin of
 * {@link GruNewton}: each task (batch element × feature block × time chunk) evaluates {@code f = (c', h')}
 * and the 2×2 Jacobian of every feature from the old iterate, measures its residual, advances the
 * chunk-local affine scan {@code y_t = J_t y_{t−1} + (f_t − J_t x_{t−1})} and keeps {@code J_t} and the
 * chunk's transfer product; the fix-up chains the chunk carries per sequence and adds them back in
 * parallel ({@code y_t += (J_t⋯J_s)·carry}). Scalar loops in the cell's float operation order.
 *
 * <p>Only chosen when forced ({@code -Dpararnn.cpu.fused=newton}): it has no SIMD evaluation, and the
 * sequential fused kernel wins at the shapes measured for ParaGRU's scalar Newton (see {@link GruNewton#pays}).
 */
final class LstmNewton {
    private final FusedParaLstm lstm;

    LstmNewton(FusedParaLstm lstm) {
        this.lstm = lstm;
    }

    /** Chunks so that tasks reach twice the pool's threads (see {@link TimeChunks#count}). */
    int chunks(int batch, int steps) {
        return TimeChunks.count(batch * lstm.blocks(batch), 2 * lstm.loop.parallelism(), steps);
    }

    SolveReport forward(Recurrence p, float[] states, int chunks) {
        float[] scratch = Workspace.floats(0, states.length);
        return ChunkedNewton.forward(new Pass(p, chunks, states.length), lstm.loop, p, states, scratch);
    }

    /** One solve's pass: its shape, chunking, Jacobians, chunk end values and transfer products. */
    private final class Pass extends ChunkedNewton.CellPass {
        private final float[] jac;
        /** Chunk end values {@code [B][chunks][2D]}. */
        private final float[] ends;
        /** Chunk transfer products {@code [B][chunks][4D]}. */
        private final float[] prods;

        Pass(Recurrence p, int chunks, int length) {
            super(lstm, p, chunks, lstm.blocks(p.batch()));
            this.jac = Workspace.floats(1, 2 * length);
            int s = 2 * lstm.width;
            this.ends = new float[p.batch() * chunks * s];
            this.prods = new float[p.batch() * chunks * 2 * s];
        }

        @Override
        public void run(float[] old, float[] carried, float[] out, int i, float[] taskRes, float[] taskScale) {
            pass(p, init, old, out, jac, ends, prods, blocks, chunks, i, taskRes, taskScale);
        }

        @Override
        public void fixUp(CpuLoop.Burst team, float[] out) {
            if (chunks > 1) {
                LstmNewton.this.fixUp(team, p, out, jac, ends, prods, blocks, chunks);
            }
        }
    }

    /** One Newton pass of task {@code i}: old iterate {@code x} (null: zero) into {@code y}, chunk-locally. */
    private void pass(Recurrence p, float[] init, float[] x, float[] y, float[] jac, float[] ends, float[] prods,
                      int blocks, int chunks, int i, float[] taskRes, float[] taskScale) {
        int dw = lstm.width;
        int s = 2 * dw;
        int steps = p.steps();
        float[] u = p.u();
        float[] a = lstm.a;
        float[] cw = lstm.c;
        int c = i % chunks;
        int k = (i / chunks) % blocks;
        int b = i / chunks / blocks;
        int d0 = lstm.blockStart(blocks, k);
        int d1 = lstm.blockStart(blocks, k + 1);
        int ta = TimeChunks.start(steps, chunks, c);
        int tb = TimeChunks.start(steps, chunks, c + 1);
        float res = 0f;
        float scale = 0f;
        for (int d = d0; d < d1; d++) {
            float xc;
            float xh;
            if (ta == 0) {
                xc = init[b * s + d];
                xh = init[b * s + dw + d];
            } else {
                int po = (b * steps + ta - 1) * s;
                xc = x == null ? 0f : x[po + d];
                xh = x == null ? 0f : x[po + dw + d];
            }
            // Chunk 0 starts from the exact initial state, the others from a zero carry.
            float l0 = c == 0 ? xc : 0f;
            float l1 = c == 0 ? xh : 0f;
            float p00 = 1f;
            float p01 = 0f;
            float p10 = 0f;
            float p11 = 1f;
            float af = a[d];
            float ao = a[dw + d];
            float ac = a[2 * dw + d];
            float cf = cw[d];
            float co = cw[dw + d];
            for (int t = ta; t < tb; t++) {
                int r = b * steps + t;
                int uo = r * 3 * dw;
                float fg = FastMath.sigmoid(af * xh + u[uo + d] + cf * xc);
                float ct = FastMath.tanh(ac * xh + u[uo + 2 * dw + d]);
                float cn = fg * xc + (1f - fg) * ct;
                float o = FastMath.sigmoid(ao * xh + u[uo + dw + d] + co * cn);
                float tc = FastMath.tanh(cn);
                float hn = o * tc;
                float fp = fg * (1f - fg);
                float op = o * (1f - o);
                float j00 = fg + (xc - ct) * fp * cf;
                float j01 = (xc - ct) * fp * af + (1f - fg) * (1f - ct * ct) * ac;
                float through = o * (1f - tc * tc);
                float j10 = j00 * (op * co * tc + through);
                float j11 = op * (ao + co * j01) * tc + through * j01;
                int so = r * s;
                float oc = x == null ? 0f : x[so + d];
                float oh = x == null ? 0f : x[so + dw + d];
                res = maxKeepNaN(res, Math.abs(oc - cn));
                res = maxKeepNaN(res, Math.abs(oh - hn));
                scale = Math.max(scale, Math.max(Math.abs(cn), Math.abs(hn)));
                float b0 = cn - (j00 * xc + j01 * xh);
                float b1 = hn - (j10 * xc + j11 * xh);
                float n0 = j00 * l0 + j01 * l1 + b0;
                float n1 = j10 * l0 + j11 * l1 + b1;
                l0 = n0;
                l1 = n1;
                float q00 = j00 * p00 + j01 * p10;
                float q01 = j00 * p01 + j01 * p11;
                float q10 = j10 * p00 + j11 * p10;
                float q11 = j10 * p01 + j11 * p11;
                p00 = q00;
                p01 = q01;
                p10 = q10;
                p11 = q11;
                int jo = r * 2 * s;
                jac[jo + d] = j00;
                jac[jo + dw + d] = j01;
                jac[jo + 2 * dw + d] = j10;
                jac[jo + 3 * dw + d] = j11;
                y[so + d] = l0;
                y[so + dw + d] = l1;
                xc = oc;
                xh = oh;
            }
            int eo = (b * chunks + c) * s;
            ends[eo + d] = l0;
            ends[eo + dw + d] = l1;
            int po = (b * chunks + c) * 2 * s;
            prods[po + d] = p00;
            prods[po + dw + d] = p01;
            prods[po + 2 * dw + d] = p10;
            prods[po + 3 * dw + d] = p11;
        }
        taskRes[i] = res;
        taskScale[i] = scale;
    }

    private static float maxKeepNaN(float acc, float v) {
        return v > acc || Float.isNaN(v) ? v : acc;
    }

    /**
     * Chains each sequence's chunk carries in order ({@code ends} becomes the exact state at each chunk's
     * end), then every later chunk adds {@code (J_t⋯J_s)·carry} to its local solution, in parallel.
     */
    private void fixUp(ParallelLoop loop, Recurrence p, float[] y, float[] jac, float[] ends, float[] prods, int blocks,
                       int chunks) {
        int dw = lstm.width;
        int s = 2 * dw;
        int steps = p.steps();
        int batch = p.batch();
        for (int b = 0; b < batch; b++) {
            for (int c = 1; c < chunks; c++) {
                int e = (b * chunks + c) * s;
                int prev = e - s;
                int po = (b * chunks + c) * 2 * s;
                for (int d = 0; d < dw; d++) {
                    float k0 = ends[prev + d];
                    float k1 = ends[prev + dw + d];
                    ends[e + d] += prods[po + d] * k0 + prods[po + dw + d] * k1;
                    ends[e + dw + d] += prods[po + 2 * dw + d] * k0 + prods[po + 3 * dw + d] * k1;
                }
            }
        }
        loop.forEach(batch * blocks * (chunks - 1), i -> {
            int c = 1 + i % (chunks - 1);
            int k = (i / (chunks - 1)) % blocks;
            int b = i / (chunks - 1) / blocks;
            int d0 = lstm.blockStart(blocks, k);
            int d1 = lstm.blockStart(blocks, k + 1);
            int carry = (b * chunks + c - 1) * s;
            int ta = TimeChunks.start(steps, chunks, c);
            int tb = TimeChunks.start(steps, chunks, c + 1);
            for (int d = d0; d < d1; d++) {
                float k0 = ends[carry + d];
                float k1 = ends[carry + dw + d];
                for (int t = ta; t < tb; t++) {
                    int r = b * steps + t;
                    int jo = r * 2 * s;
                    float n0 = jac[jo + d] * k0 + jac[jo + dw + d] * k1;
                    float n1 = jac[jo + 2 * dw + d] * k0 + jac[jo + 3 * dw + d] * k1;
                    k0 = n0;
                    k1 = n1;
                    y[r * s + d] += k0;
                    y[r * s + dw + d] += k1;
                }
            }
        });
    }
}
