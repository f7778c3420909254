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
// Windowed (gridDim.y = 1): one block walks the lane group's whole sequence, window after window.
// Spread over blocks (gridDim.y = segments, when few lanes leave the device idle): the sequence is cut into
// segments of segSteps, one block each; pararnn_scan_reduce_k* writes each segment's summary pair, the
// windowed kernel scans the summaries (a K×K scan over the segments), and pararnn_scan_k* then re-scans
// every segment from the carry that scan left (docs/design.md §7).
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

// This chunk's pair (transfer product, response from zero) over steps [s0, s1) of the lane.
template <int K>
__device__ __forceinline__ Pair<K> chunkPair(const float* a, const float* b, int bi, int p, int s0, int s1, int steps,
                                             int width, int from, int to, int reverse) {
    Pair<K> mine;
    identity<K>(mine);
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
    return mine;
}

// Where a thread of the chunked scans sits: L = blockDim.x lanes (adjacent features) × Y = blockDim.y
// chunks; blockIdx.x the group of lanes, blockIdx.y the segment of time; a segment covers steps
// [seg·segSteps, min(n, (seg + 1)·segSteps)) of the n = to − from, in windows of Y·chunk steps.
struct ScanLane {
    int lanesPerBlock, ys, x, y, mw, groups, bi, p, n, seg0, seg1;
    bool active;

    __device__ ScanLane(int batch, int width, int k, int from, int to, int segSteps)
        : lanesPerBlock(blockDim.x), ys(blockDim.y), x(threadIdx.x), y(threadIdx.y), mw(width / k),
          groups(chunkGroups(blockDim.x, blockDim.y)), bi(0), p(0), n(to - from), seg0(0), seg1(0), active(false) {
        const long long lane = (long long) blockIdx.x * lanesPerBlock + x;
        active = lane < (long long) batch * mw;
        bi = active ? (int) (lane / mw) : 0;
        p = active ? (int) (lane % mw) : 0;
        segmentBounds(n, segSteps, seg0, seg1);
    }
};

// The scan over this block's segment from its carry-in: per window (1) each thread's chunk pair, (2) the
// lane's chunks combined across the block (laneCarryIn), (3) the re-walk from the state entering the chunk,
// stored; the window's end state carries into the next window.
template <int K>
__device__ void scan_chunked(const float* a, const float* b, const float* init, const float* carries, float* out,
                             int batch, int steps, int width, int from, int to, int chunk, int reverse, int segSteps) {
    // Shared: [groups][L] pairs, a group being the chunks (y values) of one lane inside one warp.
    PARARNN_DYNAMIC_SHARED(Pair<K>, totals);
    const ScanLane at(batch, width, K, from, to, segSteps);
    float carry[K];
    segmentCarry<K>(init, carries, at.bi, at.p, width, at.active, carry);
    const int span = at.ys * chunk;
    for (int w0 = at.seg0; w0 < at.seg1; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + at.y * chunk;
        const int s1 = min(s0 + chunk, at.seg1);
        Pair<K> mine;
        identity<K>(mine);
        if (at.active) {
            mine = chunkPair<K>(a, b, at.bi, at.p, s0, s1, steps, width, from, to, reverse);
        }
        float h[K];
        laneCarryIn<K>(mine, totals, carry, h);
        if (at.active) {
            for (int s = s0; s < s1; s++) {
                float m[K * K];
                float bv[K];
                load_step<K>(a, b, at.bi, at.p, s, steps, width, from, to, reverse, m, bv);
                step<K>(m, bv, h);
                int t = reverse ? to - 1 - s : from + s;
                long long row = (long long) at.bi * steps + t;
#pragma unroll
                for (int i = 0; i < K; i++) {
                    st(out[row * width + i * at.mw + at.p], h[i]);
                }
            }
        }
        // The carry into the next window: every group's total applied in order.
        for (int g = 0; g < at.groups; g++) {
            apply<K>(totals[g * at.lanesPerBlock + at.x], carry);
        }
        __syncthreads();
    }
}

// The summary of this block's segment, per lane: the pair (transfer product, response from zero) of all its
// steps, written as step blockIdx.y of a K×K scan problem (sumA [B][segments][K·K·m], sumB [B][segments][K·m],
// forward convention) whose forward scan from the initial state gives each segment's end state.
template <int K>
__device__ void scan_reduce(const float* a, const float* b, float* sumA, float* sumB, int batch, int steps, int width,
                            int from, int to, int chunk, int reverse, int segSteps) {
    PARARNN_DYNAMIC_SHARED(Pair<K>, totals);
    const ScanLane at(batch, width, K, from, to, segSteps);
    Pair<K> total;
    identity<K>(total);
    const int span = at.ys * chunk;
    for (int w0 = at.seg0; w0 < at.seg1; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + at.y * chunk;
        const int s1 = min(s0 + chunk, at.seg1);
        Pair<K> mine;
        identity<K>(mine);
        if (at.active) {
            mine = chunkPair<K>(a, b, at.bi, at.p, s0, s1, steps, width, from, to, reverse);
        }
        foldWindow<K>(mine, totals, total);
    }
    if (at.y == 0 && at.active) {
        storeSummary<K>(sumA, sumB, (long long) at.bi * gridDim.y + blockIdx.y, at.mw, at.p, total);
    }
}

}  // namespace pararnn

// The chunked scan and its segments' summaries for k×k blocks, k = 1, 2, 3.
#define PARARNN_SCAN_KERNELS(K)                                                                                       \
    extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_scan_k##K(                                                 \
            const float* a, const float* b, const float* init, const float* carries, float* out, int batch, int steps, \
            int width, int from, int to, int chunk, int reverse, int segSteps) {                                     \
        pararnn::scan_chunked<K>(a, b, init, carries, out, batch, steps, width, from, to, chunk, reverse, segSteps); \
    }                                                                                                                 \
    extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_scan_reduce_k##K(                                          \
            const float* a, const float* b, float* sumA, float* sumB, int batch, int steps, int width, int from, int to, \
            int chunk, int reverse, int segSteps) {                                                                   \
        pararnn::scan_reduce<K>(a, b, sumA, sumB, batch, steps, width, from, to, chunk, reverse, segSteps);         \
    }

PARARNN_SCAN_KERNELS(1)
PARARNN_SCAN_KERNELS(2)
PARARNN_SCAN_KERNELS(3)

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
