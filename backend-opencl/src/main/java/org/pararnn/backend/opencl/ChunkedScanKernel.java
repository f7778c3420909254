package org.pararnn.backend.opencl;

import com.aparapi.Kernel;

/**
 * The hierarchical linear scan as Aparapi kernel passes (Java that Aparapi translates to OpenCL C), in
 * the spirit of the reference CUDA kernel: the window {@code [from, to)} of every lane is cut into
 * {@code chunks}; {@link #PASS_LOCAL} lets each work-item scan its chunk sequentially from a zero carry
 * (chunk 0 from the real initial state) and keep the chunk's end value {@code H} and transfer matrix
 * {@code P}; {@link #PASS_COMBINE} turns those into the exact state at every chunk boundary (a
 * work-group per lane scanning {@code (P, H)} pairs in local memory for blocks up to 3×3, a sequential
 * walk over chunks for bigger blocks); {@link #PASS_FIXUP} substitutes the boundary values back
 * ({@code y_t += P_t · carry}).
 *
 * <p>Structures: a lane is one feature {@code p} of one batch element, carrying {@code k} coupled
 * values: diagonal is {@code k = 1}, block-diagonal {@code k} blocks is {@code k}, dense is
 * {@code k = S} with one feature ({@code m = 1}) — the dense row-major layout is exactly the
 * block layout {@code a[(i·k+j)·m+p]} with {@code m = 1}. Blocks of 1 and 2 run on private scalars;
 * wider ones keep their vectors in per-work-item global scratch ({@code hs}, {@code ps}).
 *
 * <p>Reverse scans run the same code on the transposed coefficients of the next step
 * ({@code C_t = A_{t+1}ᵀ}) walking time backwards; a chunk's position {@code q} counts from the end
 * of the window, so the combine is always a prefix over {@code q}.
 *
 * <p>Iterate buffers come in a pair ({@code y0}, {@code y1}) so the fused Newton solvers can read the
 * old iterate from one while the scan writes the new one into the other ({@code dst}); a plain scan
 * uses {@code y0} only. Aparapi keeps one device buffer per (kernel, array), so every pass that shares
 * data on the device lives in one kernel class: subclasses add their cell's passes.
 *
 * <p>Everything here runs on the device: only primitive fields, arrays and plain arithmetic.
 */
abstract class ChunkedScanKernel extends Kernel {
    static final int PASS_LOCAL = 0;
    static final int PASS_COMBINE = 1;
    static final int PASS_FIXUP = 2;
    /** First pass id free for subclasses. */
    static final int FIRST_CELL_PASS = 8;

    /** Most chunks per lane: the combine work-group is one lane's chunks, and its (P, H) pairs sit in local memory. */
    static final int MAX_CHUNKS = 128;
    /** Widest block the local-memory combine handles (3×3 products); wider ones combine sequentially. */
    static final int MAX_TREE_BLOCK = 3;

    int pass;
    /** Values coupled per lane (1 diagonal, k block-diagonal, S dense). */
    int k;
    /** Features per block: {@code S / k}. */
    int m;
    int width;
    int steps;
    int from;
    int to;
    int chunks;
    int lanes;
    int rev;
    int hasInit;
    /** Which iterate buffer the scan writes: 0 → {@code y0}, 1 → {@code y1}. */
    int dst;

    float[] a = {0f};
    float[] bv = {0f};
    float[] y0 = {0f};
    float[] y1 = {0f};
    float[] init = {0f};
    /** Chunk end values, {@code [chunks][lanes][k]} by position q; after the combine, inclusive prefixes. */
    float[] carH = {0f};
    /** Chunk transfer matrices, {@code [chunks][lanes][k·k]} by position q. */
    float[] carP = {0f};
    /** Per-work-item scratch for blocks wider than 2: current vector and its update ({@code [gid][2k]}). */
    float[] hs = {0f};
    /** Per-work-item scratch for blocks wider than 2: the running product update ({@code [gid][k·k]}). */
    float[] ps = {0f};

    @Local
    float[] locH = new float[2 * MAX_CHUNKS * MAX_TREE_BLOCK];
    @Local
    float[] locP = new float[2 * MAX_CHUNKS * MAX_TREE_BLOCK * MAX_TREE_BLOCK];

    /** Dispatches the scan passes; subclasses call it for pass ids below {@link #FIRST_CELL_PASS}. */
    void scanPass() {
        if (pass == PASS_LOCAL) {
            localPass();
        } else if (pass == PASS_COMBINE) {
            if (k <= MAX_TREE_BLOCK) {
                combineTree();
            } else {
                combineSequential();
            }
        } else if (pass == PASS_FIXUP) {
            fixupPass();
        }
    }

    int chunkStart(int c) {
        return from + (int) ((long) (to - from) * c / chunks);
    }

    /** Time of the j-th step a chunk {@code [s, e)} visits (backwards in reverse). */
    int stepTime(int s, int e, int j) {
        return rev == 1 ? e - 1 - j : s + j;
    }

    /** Index of coefficient {@code (i, j)} of {@code C_t} for lane feature {@code p}: {@code A_t}, or {@code A_{t+1}ᵀ} in reverse. */
    int coefIndex(int b, int t, int i, int j, int p) {
        int ct = rev == 1 ? t + 1 : t;
        int e = rev == 1 ? j * k + i : i * k + j;
        return ((b * steps + ct) * k * k + e) * m + p;
    }

    int stateIndex(int b, int t, int i, int p) {
        return (b * steps + t) * width + i * m + p;
    }

    float yGet(int i) {
        return dst == 0 ? y0[i] : y1[i];
    }

    void ySet(int i, float v) {
        if (dst == 0) {
            y0[i] = v;
        } else {
            y1[i] = v;
        }
    }

    /** The iterate the scan is not writing (the old Newton iterate). */
    float oldGet(int i) {
        return dst == 0 ? y1[i] : y0[i];
    }

    int position(int c) {
        return rev == 1 ? chunks - 1 - c : c;
    }

    // ---------------------------------------------------------------------------------------------
    // Local pass: every (lane, chunk) scans its chunk from a zero carry.

    void localPass() {
        int gid = getGlobalId();
        if (gid < lanes * chunks) {
            int lane = gid % lanes;
            int c = gid / lanes;
            if (k == 1) {
                local1(gid, lane, c);
            } else if (k == 2) {
                local2(gid, lane, c);
            } else {
                localWide(gid, lane, c);
            }
        }
    }

    void local1(int gid, int lane, int c) {
        int b = lane / m;
        int p = lane % m;
        int q = position(c);
        int s = chunkStart(c);
        int e = chunkStart(c + 1);
        float h = 0f;
        if (q == 0 && hasInit == 1) {
            h = init[b * width + p];
        }
        float pr = 1f;
        for (int j = 0; j < e - s; j++) {
            int t = stepTime(s, e, j);
            float bt = bv[stateIndex(b, t, 0, p)];
            if (q == 0 && j == 0 && hasInit == 0) {
                // Zero carry into the window: the step's coefficient is never read (it may lie outside).
                h = bt;
            } else {
                float ct = a[coefIndex(b, t, 0, 0, p)];
                h = ct * h + bt;
                pr = ct * pr;
            }
            ySet(stateIndex(b, t, 0, p), h);
        }
        int o = q * lanes + lane;
        carH[o] = h;
        carP[o] = pr;
    }

    void local2(int gid, int lane, int c) {
        int b = lane / m;
        int p = lane % m;
        int q = position(c);
        int s = chunkStart(c);
        int e = chunkStart(c + 1);
        float h0 = 0f;
        float h1 = 0f;
        if (q == 0 && hasInit == 1) {
            h0 = init[b * width + p];
            h1 = init[b * width + m + p];
        }
        float p00 = 1f;
        float p01 = 0f;
        float p10 = 0f;
        float p11 = 1f;
        for (int j = 0; j < e - s; j++) {
            int t = stepTime(s, e, j);
            float b0 = bv[stateIndex(b, t, 0, p)];
            float b1 = bv[stateIndex(b, t, 1, p)];
            if (q == 0 && j == 0 && hasInit == 0) {
                h0 = b0;
                h1 = b1;
            } else {
                float c00 = a[coefIndex(b, t, 0, 0, p)];
                float c01 = a[coefIndex(b, t, 0, 1, p)];
                float c10 = a[coefIndex(b, t, 1, 0, p)];
                float c11 = a[coefIndex(b, t, 1, 1, p)];
                float n0 = c00 * h0 + c01 * h1 + b0;
                float n1 = c10 * h0 + c11 * h1 + b1;
                h0 = n0;
                h1 = n1;
                float q00 = c00 * p00 + c01 * p10;
                float q01 = c00 * p01 + c01 * p11;
                float q10 = c10 * p00 + c11 * p10;
                float q11 = c10 * p01 + c11 * p11;
                p00 = q00;
                p01 = q01;
                p10 = q10;
                p11 = q11;
            }
            ySet(stateIndex(b, t, 0, p), h0);
            ySet(stateIndex(b, t, 1, p), h1);
        }
        int o = q * lanes + lane;
        carH[2 * o] = h0;
        carH[2 * o + 1] = h1;
        carP[4 * o] = p00;
        carP[4 * o + 1] = p01;
        carP[4 * o + 2] = p10;
        carP[4 * o + 3] = p11;
    }

    /** Blocks wider than 2: the lane's vector in {@code hs}, the running product straight in {@code carP}. */
    void localWide(int gid, int lane, int c) {
        int b = lane / m;
        int p = lane % m;
        int q = position(c);
        int s = chunkStart(c);
        int e = chunkStart(c + 1);
        int kk = k * k;
        int o = q * lanes + lane;
        int hb = gid * 2 * k;
        int pb = o * kk;
        int sb = gid * kk;
        for (int i = 0; i < k; i++) {
            hs[hb + i] = q == 0 && hasInit == 1 ? init[b * width + i * m + p] : 0f;
            for (int j = 0; j < k; j++) {
                carP[pb + i * k + j] = i == j ? 1f : 0f;
            }
        }
        // One chunk: nobody combines, so the product is not needed.
        int wantP = chunks > 1 ? 1 : 0;
        for (int j = 0; j < e - s; j++) {
            int t = stepTime(s, e, j);
            if (q == 0 && j == 0 && hasInit == 0) {
                for (int i = 0; i < k; i++) {
                    hs[hb + i] = bv[stateIndex(b, t, i, p)];
                }
            } else {
                for (int i = 0; i < k; i++) {
                    float acc = bv[stateIndex(b, t, i, p)];
                    for (int l = 0; l < k; l++) {
                        acc += a[coefIndex(b, t, i, l, p)] * hs[hb + l];
                    }
                    hs[hb + k + i] = acc;
                    if (wantP == 1) {
                        for (int col = 0; col < k; col++) {
                            float pacc = 0f;
                            for (int l = 0; l < k; l++) {
                                pacc += a[coefIndex(b, t, i, l, p)] * carP[pb + l * k + col];
                            }
                            ps[sb + i * k + col] = pacc;
                        }
                    }
                }
                for (int i = 0; i < k; i++) {
                    hs[hb + i] = hs[hb + k + i];
                }
                if (wantP == 1) {
                    for (int i = 0; i < kk; i++) {
                        carP[pb + i] = ps[sb + i];
                    }
                }
            }
            for (int i = 0; i < k; i++) {
                ySet(stateIndex(b, t, i, p), hs[hb + i]);
            }
        }
        for (int i = 0; i < k; i++) {
            carH[o * k + i] = hs[hb + i];
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Combine: inclusive prefix of chunk pairs over positions, (P', H') = (P_q P_l, H_q + P_q H_l).

    /** One work-group per lane, one work-item per chunk position; Hillis–Steele in local memory. */
    void combineTree() {
        int lane = getGroupId();
        int q = getLocalId();
        int kk = k * k;
        int o = q * lanes + lane;
        for (int i = 0; i < k; i++) {
            locH[q * k + i] = carH[o * k + i];
        }
        for (int i = 0; i < kk; i++) {
            locP[q * kk + i] = carP[o * kk + i];
        }
        localBarrier();
        int src = 0;
        for (int off = 1; off < chunks; off = off * 2) {
            int so = src * MAX_CHUNKS;
            int dn = (1 - src) * MAX_CHUNKS;
            if (q >= off) {
                int l = q - off;
                for (int i = 0; i < k; i++) {
                    float acc = locH[(so + q) * k + i];
                    for (int j = 0; j < k; j++) {
                        acc += locP[(so + q) * kk + i * k + j] * locH[(so + l) * k + j];
                    }
                    locH[(dn + q) * k + i] = acc;
                    for (int j = 0; j < k; j++) {
                        float pacc = 0f;
                        for (int r = 0; r < k; r++) {
                            pacc += locP[(so + q) * kk + i * k + r] * locP[(so + l) * kk + r * k + j];
                        }
                        locP[(dn + q) * kk + i * k + j] = pacc;
                    }
                }
            } else {
                for (int i = 0; i < k; i++) {
                    locH[(dn + q) * k + i] = locH[(so + q) * k + i];
                }
                for (int i = 0; i < kk; i++) {
                    locP[(dn + q) * kk + i] = locP[(so + q) * kk + i];
                }
            }
            localBarrier();
            src = 1 - src;
        }
        for (int i = 0; i < k; i++) {
            carH[o * k + i] = locH[(src * MAX_CHUNKS + q) * k + i];
        }
    }

    /** Wide blocks: one work-item per lane walks the positions, {@code H_q += P_q · H_{q−1}}. */
    void combineSequential() {
        int lane = getGlobalId();
        if (lane < lanes) {
            int kk = k * k;
            for (int q = 1; q < chunks; q++) {
                int o = q * lanes + lane;
                int prev = (q - 1) * lanes + lane;
                for (int i = 0; i < k; i++) {
                    float acc = carH[o * k + i];
                    for (int j = 0; j < k; j++) {
                        acc += carP[o * kk + i * k + j] * carH[prev * k + j];
                    }
                    carH[o * k + i] = acc;
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Fix-up: chunks after the first add the carried boundary value, propagated step by step.

    void fixupPass() {
        int gid = getGlobalId();
        if (gid < lanes * chunks) {
            int lane = gid % lanes;
            int c = gid / lanes;
            if (position(c) > 0) {
                if (k == 1) {
                    fixup1(lane, c);
                } else if (k == 2) {
                    fixup2(lane, c);
                } else {
                    fixupWide(gid, lane, c);
                }
            }
        }
    }

    void fixup1(int lane, int c) {
        int b = lane / m;
        int p = lane % m;
        int s = chunkStart(c);
        int e = chunkStart(c + 1);
        float corr = carH[(position(c) - 1) * lanes + lane];
        for (int j = 0; j < e - s; j++) {
            int t = stepTime(s, e, j);
            corr = a[coefIndex(b, t, 0, 0, p)] * corr;
            int i = stateIndex(b, t, 0, p);
            ySet(i, yGet(i) + corr);
        }
    }

    void fixup2(int lane, int c) {
        int b = lane / m;
        int p = lane % m;
        int s = chunkStart(c);
        int e = chunkStart(c + 1);
        int o = (position(c) - 1) * lanes + lane;
        float k0 = carH[2 * o];
        float k1 = carH[2 * o + 1];
        for (int j = 0; j < e - s; j++) {
            int t = stepTime(s, e, j);
            float n0 = a[coefIndex(b, t, 0, 0, p)] * k0 + a[coefIndex(b, t, 0, 1, p)] * k1;
            float n1 = a[coefIndex(b, t, 1, 0, p)] * k0 + a[coefIndex(b, t, 1, 1, p)] * k1;
            k0 = n0;
            k1 = n1;
            int i0 = stateIndex(b, t, 0, p);
            int i1 = stateIndex(b, t, 1, p);
            ySet(i0, yGet(i0) + k0);
            ySet(i1, yGet(i1) + k1);
        }
    }

    void fixupWide(int gid, int lane, int c) {
        int b = lane / m;
        int p = lane % m;
        int s = chunkStart(c);
        int e = chunkStart(c + 1);
        int o = (position(c) - 1) * lanes + lane;
        int hb = gid * 2 * k;
        for (int i = 0; i < k; i++) {
            hs[hb + i] = carH[o * k + i];
        }
        for (int j = 0; j < e - s; j++) {
            int t = stepTime(s, e, j);
            for (int i = 0; i < k; i++) {
                float acc = 0f;
                for (int l = 0; l < k; l++) {
                    acc += a[coefIndex(b, t, i, l, p)] * hs[hb + l];
                }
                hs[hb + k + i] = acc;
            }
            for (int i = 0; i < k; i++) {
                float v = hs[hb + k + i];
                hs[hb + i] = v;
                int si = stateIndex(b, t, i, p);
                ySet(si, yGet(si) + v);
            }
        }
    }
}
