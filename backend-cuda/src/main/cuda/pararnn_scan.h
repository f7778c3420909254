// The pieces of a chunked linear scan over k×k blocks that scan.cu and the fused Newton kernels of cells.cu
// share (docs/design.md §7): the pair (transfer product, response from zero) of a run of steps, its
// composition, and the combine of one lane's chunks across a block — warp shuffles, then warps' totals
// through shared memory — that yields the state entering each thread's chunk.
#ifndef PARARNN_SCAN_H
#define PARARNN_SCAN_H

#include "pararnn_cuda.h"

namespace pararnn {

template <int K>
struct Pair {
    float p[K * K];  // transfer product, row-major
    float v[K];      // response from a zero state
};

template <int K>
__device__ __forceinline__ void identity(Pair<K>& x) {
#pragma unroll
    for (int i = 0; i < K * K; i++) {
        x.p[i] = (i % (K + 1) == 0) ? 1.f : 0.f;
    }
#pragma unroll
    for (int i = 0; i < K; i++) {
        x.v[i] = 0.f;
    }
}

// h ← M h + b
template <int K>
__device__ __forceinline__ void step(const float (&m)[K * K], const float (&bv)[K], float (&h)[K]) {
    float n[K];
#pragma unroll
    for (int i = 0; i < K; i++) {
        float acc = bv[i];
#pragma unroll
        for (int j = 0; j < K; j++) {
            acc = fmaf(m[i * K + j], h[j], acc);
        }
        n[i] = acc;
    }
#pragma unroll
    for (int i = 0; i < K; i++) {
        h[i] = n[i];
    }
}

// x ← later ∘ x: (P_l, v_l)∘(P, v) = (P_l P, P_l v + v_l)
template <int K>
__device__ __forceinline__ void compose(const Pair<K>& later, Pair<K>& x) {
    Pair<K> r;
#pragma unroll
    for (int i = 0; i < K; i++) {
#pragma unroll
        for (int j = 0; j < K; j++) {
            float acc = 0.f;
#pragma unroll
            for (int q = 0; q < K; q++) {
                acc = fmaf(later.p[i * K + q], x.p[q * K + j], acc);
            }
            r.p[i * K + j] = acc;
        }
        float acc = later.v[i];
#pragma unroll
        for (int q = 0; q < K; q++) {
            acc = fmaf(later.p[i * K + q], x.v[q], acc);
        }
        r.v[i] = acc;
    }
    x = r;
}

// h ← P h + v
template <int K>
__device__ __forceinline__ void apply(const Pair<K>& x, float (&h)[K]) {
    step<K>(x.p, x.v, h);
}

template <int K>
__device__ __forceinline__ Pair<K> shuffle_up(const Pair<K>& x, unsigned delta) {
    Pair<K> r;
#pragma unroll
    for (int i = 0; i < K * K; i++) {
        r.p[i] = __shfl_up_sync(PARARNN_FULL_MASK, x.p[i], delta);
    }
#pragma unroll
    for (int i = 0; i < K; i++) {
        r.v[i] = __shfl_up_sync(PARARNN_FULL_MASK, x.v[i], delta);
    }
    return r;
}

// The state entering this thread's chunk, for a block of blockDim.x lanes × blockDim.y chunks in time
// (thread x + y·L; a lane's chunks that share a warp are L apart): `mine` is this chunk's pair, `carry` the
// lane's state before the block's first chunk, `totals` [groups][L] pairs of shared memory. On return
// totals hold every group's inclusive total (the window's end is `carry` through all of them, in order);
// the caller must __syncthreads() before totals are written again.
template <int K>
__device__ __forceinline__ void laneCarryIn(const Pair<K>& mine, Pair<K>* totals, const float (&carry)[K], float (&h)[K]) {
    const int lanesPerBlock = blockDim.x;
    const int ys = blockDim.y;
    const int x = threadIdx.x;
    const int y = threadIdx.y;
    const int perWarp = lanesPerBlock >= 32 ? 1 : 32 / lanesPerBlock;
    const int group = y / perWarp;
    // Inclusive scan of the lane's chunks inside the warp (stride L between a lane's chunks).
    Pair<K> incl = mine;
    for (int d = 1; d < perWarp; d <<= 1) {
        Pair<K> earlier = shuffle_up<K>(incl, (unsigned) (d * lanesPerBlock));
        if (y % perWarp >= d) {
            compose<K>(incl, earlier);  // earlier ← incl ∘ earlier
            incl = earlier;
        }
    }
    // The chunks before this one inside the warp: the inclusive value one chunk back.
    Pair<K> before = shuffle_up<K>(incl, (unsigned) (perWarp > 1 ? lanesPerBlock : 0));
    if (y % perWarp == perWarp - 1 || y == ys - 1) {
        totals[group * lanesPerBlock + x] = incl;
    }
    __syncthreads();
    // The lane's carry through the groups before this one, then the warp's chunks before this one.
#pragma unroll
    for (int i = 0; i < K; i++) {
        h[i] = carry[i];
    }
    for (int g = 0; g < group; g++) {
        apply<K>(totals[g * lanesPerBlock + x], h);
    }
    if (y % perWarp != 0) {
        apply<K>(before, h);
    }
}

// Shared-memory groups of a block of L lanes × ys chunks: a group is the chunks of one lane in one warp.
__device__ __forceinline__ int chunkGroups(int lanesPerBlock, int ys) {
    const int perWarp = lanesPerBlock >= 32 ? 1 : 32 / lanesPerBlock;
    return (ys + perWarp - 1) / perWarp;
}

// One window of a segment's summary: this thread's chunk pair combined across the block (laneCarryIn from a
// zero state fills totals), and the window's pairs composed after `total`, in order. Ends with a barrier.
template <int K>
__device__ __forceinline__ void foldWindow(const Pair<K>& mine, Pair<K>* totals, Pair<K>& total) {
    const float zero[K] = {};
    float h[K];
    laneCarryIn<K>(mine, totals, zero, h);
    const int groups = chunkGroups(blockDim.x, blockDim.y);
    for (int g = 0; g < groups; g++) {
        compose<K>(totals[g * blockDim.x + threadIdx.x], total);
    }
    __syncthreads();
}

// A segment's summary as step `row` (batch row · segments + segment) of the summaries' K×K scan: the transfer
// product into sumA [rows][K·K·m] and the response into sumB [rows][K·m], feature p of m.
template <int K>
__device__ __forceinline__ void storeSummary(float* sumA, float* sumB, long long row, int m, int p, const Pair<K>& total) {
#pragma unroll
    for (int i = 0; i < K * K; i++) {
        st(sumA[row * (K * K * m) + i * m + p], total.p[i]);
    }
#pragma unroll
    for (int i = 0; i < K; i++) {
        st(sumB[row * (K * m) + i * m + p], total.v[i]);
    }
}

// The steps [seg0, seg1) of the n that this block's segment (blockIdx.y) covers.
__device__ __forceinline__ void segmentBounds(int n, int segSteps, int& seg0, int& seg1) {
    seg0 = (int) min((long long) blockIdx.y * segSteps, (long long) n);
    seg1 = (int) min((long long) seg0 + segSteps, (long long) n);
}

// The lane's state entering this block's segment of time (blockIdx.y; segments follow each other along the
// direction of the scan): the problem's initial state (or carry) for the first, else the carry the scan of
// the segments' summaries left at the end of the segment before (carries [B][segments][width]).
template <int K>
__device__ __forceinline__ void segmentCarry(const float* init, const float* carries, int bi, int p, int width,
                                             bool active, float (&carry)[K]) {
    const int mw = width / K;
    const int seg = blockIdx.y;
#pragma unroll
    for (int i = 0; i < K; i++) {
        carry[i] = !active ? 0.f
                 : seg > 0 ? ld(carries[((long long) bi * gridDim.y + seg - 1) * width + i * mw + p])
                 : (init != nullptr ? ld(init[(long long) bi * width + i * mw + p]) : 0.f);
    }
}

}  // namespace pararnn

#endif
