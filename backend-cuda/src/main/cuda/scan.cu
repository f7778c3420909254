// Linear scans h_s = M_s h_{s-1} + b_s for the SPI's structures (docs/design.md §4, ScanProblem):
// forward (M_s = A_t, t = from + s) and reverse (the adjoint's transposed form, M_s = A_{t+1}ᵀ with
// t = to − 1 − s). A "lane" is one batch row and one feature p of a block-diagonal structure with k
// blocks: its state is the k values h[i·m + p] (m = width / k) and its coefficients the k×k values
// a[(i·k + j)·m + p]. The diagonal structure is k = 1; the dense one is k = width, m = 1.
//
// pararnn_scan_k{1,2,3}: a block holds blockDim.x lanes × blockDim.y time chunks of `chunk` steps, so a
// window of blockDim.y·chunk steps. Per window: (1) each thread reduces its chunk to the pair (P, v) of
// the chunk's transfer product and its response from zero, in registers; (2) the pairs of one lane are
// scanned along y with warp shuffles inside each warp, then the warps' totals pass through shared
// memory; (3) each thread applies the totals before its own to the lane's carry, re-walks its chunk from
// that state and stores it. The window's end state is the carry into the next window.
// pararnn_scan_generic: any k (wider blocks, dense): one thread per lane walks the window in order.
#include "pararnn_scan.h"

namespace pararnn {

// The step's M (k×k) and b (k) of lane (row b, feature p) at step s.
template <int K>
__device__ __forceinline__ void load_step(const float* a, const float* b, int bi, int p, int s, int steps, int width,
                                          int from, int to, int reverse, float (&m)[K * K], float (&bv)[K]) {
    int mw = width / K;
    int t = reverse ? to - 1 - s : from + s;
    long long row = (long long) bi * steps + t;
#pragma unroll
    for (int i = 0; i < K; i++) {
        bv[i] = ld(b[row * width + i * mw + p]);
    }
    if (!reverse) {
        const float* ap = a + row * (long long) (K * width);
#pragma unroll
        for (int i = 0; i < K * K; i++) {
            m[i] = ld(ap[i * mw + p]);
        }
    } else if (t + 1 < steps) {
        const float* ap = a + (row + 1) * (long long) (K * width);
#pragma unroll
        for (int i = 0; i < K; i++) {
#pragma unroll
            for (int j = 0; j < K; j++) {
                m[i * K + j] = ld(ap[(j * K + i) * mw + p]);
            }
        }
    } else {
        // The reverse scan's last step has no A_T; the SPI allows no carry there, so h_{-1} = 0.
#pragma unroll
        for (int i = 0; i < K * K; i++) {
            m[i] = 0.f;
        }
    }
}

template <int K>
__device__ void scan_chunked(const float* a, const float* b, const float* init, float* out, int batch, int steps,
                             int width, int from, int to, int chunk, int reverse) {
    // Shared: [groups][L] pairs, a group being the chunks (y values) of one lane inside one warp.
    PARARNN_DYNAMIC_SHARED(Pair<K>, totals);
    const int lanesPerBlock = blockDim.x;
    const int ys = blockDim.y;
    const int x = threadIdx.x;
    const int y = threadIdx.y;
    const int mw = width / K;
    const long long lanes = (long long) batch * mw;
    const long long lane = (long long) blockIdx.x * lanesPerBlock + x;
    const bool active = lane < lanes;
    const int bi = active ? (int) (lane / mw) : 0;
    const int p = active ? (int) (lane % mw) : 0;
    // Chunks of one lane that share a warp: threads are numbered x + y·L, warps are 32 consecutive threads.
    const int groups = chunkGroups(lanesPerBlock, ys);
    const int n = to - from;

    float carry[K];
#pragma unroll
    for (int i = 0; i < K; i++) {
        carry[i] = (active && init != nullptr) ? ld(init[(long long) bi * width + i * mw + p]) : 0.f;
    }
    const int span = ys * chunk;
    for (int w0 = 0; w0 < n; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + y * chunk;
        const int s1 = min(s0 + chunk, n);
        // (1) this chunk's transfer product and response from zero.
        Pair<K> mine;
        identity<K>(mine);
        if (active) {
            for (int s = s0; s < s1; s++) {
                float m[K * K];
                float bv[K];
                load_step<K>(a, b, bi, p, s, steps, width, from, to, reverse, m, bv);
                Pair<K> st;
#pragma unroll
                for (int i = 0; i < K * K; i++) {
                    st.p[i] = m[i];
                }
#pragma unroll
                for (int i = 0; i < K; i++) {
                    st.v[i] = bv[i];
                }
                compose<K>(st, mine);
            }
        }
        // (2), (3): the lane's chunks combined across the block; h enters this chunk.
        float h[K];
        laneCarryIn<K>(mine, totals, carry, h);
        if (active) {
            for (int s = s0; s < s1; s++) {
                float m[K * K];
                float bv[K];
                load_step<K>(a, b, bi, p, s, steps, width, from, to, reverse, m, bv);
                step<K>(m, bv, h);
                int t = reverse ? to - 1 - s : from + s;
                long long row = (long long) bi * steps + t;
#pragma unroll
                for (int i = 0; i < K; i++) {
                    st(out[row * width + i * mw + p], h[i]);
                }
            }
        }
        // The carry into the next window: every group's total applied in order.
        for (int g = 0; g < groups; g++) {
            apply<K>(totals[g * lanesPerBlock + x], carry);
        }
        __syncthreads();
    }
}

}  // namespace pararnn

extern "C" __global__ void pararnn_scan_k1(const float* a, const float* b, const float* init, float* out, int batch,
                                           int steps, int width, int from, int to, int chunk, int reverse) {
    pararnn::scan_chunked<1>(a, b, init, out, batch, steps, width, from, to, chunk, reverse);
}

extern "C" __global__ void pararnn_scan_k2(const float* a, const float* b, const float* init, float* out, int batch,
                                           int steps, int width, int from, int to, int chunk, int reverse) {
    pararnn::scan_chunked<2>(a, b, init, out, batch, steps, width, from, to, chunk, reverse);
}

extern "C" __global__ void pararnn_scan_k3(const float* a, const float* b, const float* init, float* out, int batch,
                                           int steps, int width, int from, int to, int chunk, int reverse) {
    pararnn::scan_chunked<3>(a, b, init, out, batch, steps, width, from, to, chunk, reverse);
}

// Any k: one thread per lane, in order; the state is read back from out (global memory), so k is unbounded.
extern "C" __global__ void pararnn_scan_generic(const float* a, const float* b, const float* init, float* out,
                                                int batch, int steps, int width, int k, int from, int to, int reverse) {
    const int mw = width / k;
    const long long lanes = (long long) batch * mw;
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= lanes) {
        return;
    }
    const int bi = (int) (lane / mw);
    const int p = (int) (lane % mw);
    const long long cps = (long long) k * width;
    const int n = to - from;
    for (int s = 0; s < n; s++) {
        PARARNN_DEPENDENT_STEP();
        int t = reverse ? to - 1 - s : from + s;
        long long row = (long long) bi * steps + t;
        // The previous state: init before the first step, else the state just written.
        const float* prev = nullptr;
        long long prevRow = 0;
        if (s == 0) {
            if (init != nullptr) {
                prev = init;
                prevRow = bi;
            }
        } else {
            prev = out;
            prevRow = reverse ? row + 1 : row - 1;
        }
        // Write every component from b first; then add M·prev, reading prev before it can be overwritten:
        // prev and the new state are different rows, so the order within the row is free.
        for (int i = 0; i < k; i++) {
            float acc = pararnn::ld(b[row * width + i * mw + p]);
            if (prev != nullptr) {
                if (!reverse) {
                    const float* ap = a + row * cps;
                    for (int j = 0; j < k; j++) {
                        acc = fmaf(pararnn::ld(ap[(i * k + j) * mw + p]), pararnn::ld(prev[prevRow * width + j * mw + p]), acc);
                    }
                } else if (t + 1 < steps) {
                    const float* ap = a + (row + 1) * cps;
                    for (int j = 0; j < k; j++) {
                        acc = fmaf(pararnn::ld(ap[(j * k + i) * mw + p]), pararnn::ld(prev[prevRow * width + j * mw + p]), acc);
                    }
                }
            }
            pararnn::st(out[row * width + i * mw + p], acc);
        }
    }
}
