// The fused ParaGRU and ParaLSTM kernels (docs/design.md §7). Cell equations as in docs/design.md §2, in
// the cells' own float operation order; each cell is written once here (GruCell, LstmCell: f, J, one step,
// one step of the adjoint) and every kernel is a template over it:
//  - walkSequential / adjointSequential: one thread per (batch row, feature), adjacent threads on adjacent
//    features so every load and store coalesces, stepping along time: the honest baseline for the parallel
//    kernels, and AUTO's choice where batch × features alone fill the device;
//  - newtonInTime: the forward solved by Newton's method over windows of time, the linear step by the
//    chunked scan of pararnn_scan.h;
//  - adjointInTime: the backward as one reverse linear scan (λ_t = g_t + J_{t+1}ᵀ λ_{t+1}) with the same
//    block layout, J recomputed from the saved states, then each step's ∂L/∂u and the weight partials.
//
// Layouts: u [B][T][3D] (gate rows z, r, h for the GRU; f, o, c for the LSTM), A [3][D], C [2][D],
// states [B][T][S] with S = K·D (K = 1 for the GRU; 2 for the LSTM: c first, then h), component i of lane
// (b, d) at [i·D + d] of a row; init [B][S] or null (zeros). Backward writes ∂L/∂u, ∂L/∂h0 (when asked)
// and per-lane partial sums of the recurrent parameters' gradients [B·D][3] (GRU) or [B·D][5] (LSTM: A
// rows then C rows), each summed in a fixed order so that a run's bits never change; the host adds the
// lanes in a fixed order too.
#include "pararnn_scan.h"

namespace pararnn {

__device__ __forceinline__ float sigmoid(float x) {
    return 1.f / (1.f + expf(-x));
}

// A lane's recurrent weights: feature d of A [3][D] (and C [2][D]).
struct GruWeights {
    float az, ar, ah;
};

__device__ __forceinline__ GruWeights gruWeights(const float* a, int d, int dw) {
    return GruWeights{ld(a[d]), ld(a[dw + d]), ld(a[2 * dw + d])};
}

struct LstmWeights {
    float af, ao, ac, cf, co;
};

__device__ __forceinline__ LstmWeights lstmWeights(const float* a, const float* c, int d, int dw) {
    return LstmWeights{ld(a[d]), ld(a[dw + d]), ld(a[2 * dw + d]), ld(c[d]), ld(c[dw + d])};
}

// ParaGRU's gates at state h with projected inputs (uz, ur, uh) and recurrent weights (az, ar, ah).
struct GruGates {
    float z, rg, n;
};

__device__ __forceinline__ GruGates gruGates(float h, float uz, float ur, float uh, float az, float ar, float ah) {
    GruGates g;
    g.z = sigmoid(az * h + uz);
    g.rg = sigmoid(ar * h + ur);
    g.n = tanhf(ah * h * g.rg + uh);
    return g;
}

// h' = z n + (1 − z) h
__device__ __forceinline__ float gruNext(float h, const GruGates& g) {
    return g.z * g.n + (1.f - g.z) * h;
}

// ∂h'/∂h
__device__ __forceinline__ float gruJacobian(float h, float az, float ar, float ah, const GruGates& g) {
    float dn = (1.f - g.n * g.n) * ah * (g.rg + h * g.rg * (1.f - g.rg) * ar);
    return g.z * (1.f - g.z) * az * (g.n - h) + g.z * dn + (1.f - g.z);
}

// ParaLSTM's step at state (c, h): forget gate, candidate, new cell, output gate.
struct LstmGates {
    float fg, ct, cn, o;
};

__device__ __forceinline__ LstmGates lstmGates(float c, float h, float uf, float uo, float uc, const LstmWeights& w) {
    LstmGates g;
    g.fg = sigmoid(w.af * h + uf + w.cf * c);
    g.ct = tanhf(w.ac * h + uc);
    g.cn = g.fg * c + (1.f - g.fg) * g.ct;
    g.o = sigmoid(w.ao * h + uo + w.co * g.cn);
    return g;
}

// The gates for step row `ur` (u's 3D values of one batch row and step), lane feature d.
__device__ __forceinline__ LstmGates lstmGates(float c, float h, const float* ur, int d, int dw, const LstmWeights& w) {
    return lstmGates(c, h, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]), w);
}

// ∂(c', h')/∂(c, h) at state (cPrev, ·) with the step's gates and tc = tanh(c'): rows c', h'; columns c, h.
struct LstmJacobian {
    float cc, ch, hc, hh;
};

__device__ __forceinline__ LstmJacobian lstmJacobian(float cPrev, const LstmGates& g, float tc, const LstmWeights& w) {
    const float fp = g.fg * (1.f - g.fg);
    const float op = g.o * (1.f - g.o);
    LstmJacobian j;
    j.cc = g.fg + (cPrev - g.ct) * fp * w.cf;
    j.ch = (cPrev - g.ct) * fp * w.af + (1.f - g.fg) * (1.f - g.ct * g.ct) * w.ac;
    const float through = g.o * (1.f - tc * tc);
    j.hc = j.cc * (op * w.co * tc + through);
    j.hh = op * (w.ao + w.co * j.ch) * tc + through * j.ch;
    return j;
}


// out = Jᵀ l for a K×K row-major J
template <int K>
__device__ __forceinline__ void transposedTimes(const float (&j)[K * K], const float (&l)[K], float (&out)[K]) {
#pragma unroll
    for (int q = 0; q < K; q++) {
        float acc = 0.f;
#pragma unroll
        for (int i = 0; i < K; i++) {
            acc = fmaf(j[i * K + q], l[i], acc);
        }
        out[q] = acc;
    }
}

// ParaGRU as the kernels see it: state h (K = 1), weights (az, ar, ah), gradient partials (az, ar, ah).
struct GruCell {
    static constexpr int K = 1;
    static constexpr int PARTS = 3;
    using Weights = GruWeights;

    __device__ static Weights load(const float* a, const float*, int d, int dw) {
        return gruWeights(a, d, dw);
    }

    // f and J at state x with the step's inputs (u0, u1, u2).
    __device__ static void eval(const Weights& w, const float (&x)[1], float u0, float u1, float u2, float (&f)[1],
                                float (&j)[1]) {
        const GruGates g = gruGates(x[0], u0, u1, u2, w.az, w.ar, w.ah);
        f[0] = gruNext(x[0], g);
        j[0] = gruJacobian(x[0], w.az, w.ar, w.ah, g);
    }

    // x ← f(x) for the step whose inputs are ur's row (lane feature d).
    __device__ static void next(const Weights& w, float (&x)[1], const float* ur, int d, int dw) {
        advance(w, x, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]));
    }

    // x ← f(x) for the step whose inputs are (u0, u1, u2).
    __device__ static void advance(const Weights& w, float (&x)[1], float u0, float u1, float u2) {
        x[0] = gruNext(x[0], gruGates(x[0], u0, u1, u2, w.az, w.ar, w.ah));
    }

    // The step's share of the adjoint at state x (before the step) with λ = l after it: ∂L/∂u into gu's
    // row, the weight partials added to parts, and J of the step (λ before it is g + Jᵀ l).
    __device__ static void adjoint(const Weights& w, const float (&x)[1], const float* ur, int d, int dw,
                                   const float (&l)[1], float* gu, float (&parts)[3], float (&j)[1]) {
        adjointAt(w, x, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]), d, dw, l, gu, parts, j);
    }

    // The same with the step's inputs given (loaded ahead by the walk).
    __device__ static void adjointAt(const Weights& w, const float (&x)[1], float u0, float u1, float u2, int d, int dw,
                                     const float (&l)[1], float* gu, float (&parts)[3], float (&j)[1]) {
        const float h = x[0];
        const GruGates g = gruGates(h, u0, u1, u2, w.az, w.ar, w.ah);
        const float gz = l[0] * (g.n - h) * g.z * (1.f - g.z);
        const float gn = l[0] * g.z * (1.f - g.n * g.n);
        const float gr = gn * w.ah * h * g.rg * (1.f - g.rg);
        st(gu[d], gz);
        st(gu[dw + d], gr);
        st(gu[2 * dw + d], gn);
        parts[0] += gz * h;
        parts[1] += gr * h;
        parts[2] += gn * h * g.rg;
        j[0] = gruJacobian(h, w.az, w.ar, w.ah, g);
    }
};

// ParaLSTM as the kernels see it: state (c, h) (K = 2), weights A (f, o, c rows) and C (f, o peepholes),
// gradient partials (af, ao, ac, cf, co).
struct LstmCell {
    static constexpr int K = 2;
    static constexpr int PARTS = 5;
    using Weights = LstmWeights;

    __device__ static Weights load(const float* a, const float* c, int d, int dw) {
        return lstmWeights(a, c, d, dw);
    }

    // J row-major over rows (c', h') and columns (c, h).
    __device__ static void eval(const Weights& w, const float (&x)[2], float u0, float u1, float u2, float (&f)[2],
                                float (&j)[4]) {
        const LstmGates g = lstmGates(x[0], x[1], u0, u1, u2, w);
        const float tc = tanhf(g.cn);
        f[0] = g.cn;
        f[1] = g.o * tc;
        const LstmJacobian jl = lstmJacobian(x[0], g, tc, w);
        j[0] = jl.cc;
        j[1] = jl.ch;
        j[2] = jl.hc;
        j[3] = jl.hh;
    }

    __device__ static void next(const Weights& w, float (&x)[2], const float* ur, int d, int dw) {
        advance(w, x, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]));
    }

    __device__ static void advance(const Weights& w, float (&x)[2], float u0, float u1, float u2) {
        const LstmGates g = lstmGates(x[0], x[1], u0, u1, u2, w);
        x[0] = g.cn;
        x[1] = g.o * tanhf(g.cn);
    }

    __device__ static void adjoint(const Weights& w, const float (&x)[2], const float* ur, int d, int dw,
                                   const float (&l)[2], float* gu, float (&parts)[5], float (&j)[4]) {
        adjointAt(w, x, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]), d, dw, l, gu, parts, j);
    }

    __device__ static void adjointAt(const Weights& w, const float (&x)[2], float u0, float u1, float u2, int d, int dw,
                                     const float (&l)[2], float* gu, float (&parts)[5], float (&j)[4]) {
        const float cPrev = x[0];
        const float h = x[1];
        const LstmGates g = lstmGates(cPrev, h, u0, u1, u2, w);
        const float tc = tanhf(g.cn);
        const float lc = l[0];
        const float lh = l[1];
        const float go = lh * tc * g.o * (1.f - g.o);
        const float gcn = lc + lh * g.o * (1.f - tc * tc) + go * w.co;
        const float gf = gcn * (cPrev - g.ct) * g.fg * (1.f - g.fg);
        const float gct = gcn * (1.f - g.fg) * (1.f - g.ct * g.ct);
        st(gu[d], gf);
        st(gu[dw + d], go);
        st(gu[2 * dw + d], gct);
        parts[0] += gf * h;
        parts[1] += go * h;
        parts[2] += gct * h;
        parts[3] += gf * cPrev;
        parts[4] += go * g.cn;
        const LstmJacobian jl = lstmJacobian(cPrev, g, tc, w);
        j[0] = jl.cc;
        j[1] = jl.ch;
        j[2] = jl.hc;
        j[3] = jl.hh;
    }
};

// The state of lane (b, d) before step t: the saved state at t − 1, or h0 (zeros without one).
template <int K>
__device__ __forceinline__ void stateBefore(const float* states, const float* init, int b, int d, int dw, int steps,
                                            int t, float (&x)[K]) {
    const int sw = K * dw;
#pragma unroll
    for (int i = 0; i < K; i++) {
        x[i] = t > 0 ? ld(states[((long long) b * steps + t - 1) * sw + i * dw + d])
                     : (init != nullptr ? ld(init[(long long) b * sw + i * dw + d]) : 0.f);
    }
}

// ---------------------------------------------------------------------------------------------------------
// Sequential in time, one thread per lane.
template <class Cell>
__device__ void walkSequential(const float* __restrict__ a, const float* __restrict__ c, const float* __restrict__ u,
                               const float* __restrict__ init, float* __restrict__ states, int batch, int steps, int dw) {
    constexpr int K = Cell::K;
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const typename Cell::Weights w = Cell::load(a, c, d, dw);
    float x[K];
    stateBefore<K>(states, init, b, d, dw, steps, 0, x);
    // The next step's inputs are loaded before this step's state is stored: the loads' latency overlaps the
    // step's arithmetic instead of following the store (the walk is latency-bound at one step a phase).
    const float* ur = u + (long long) b * steps * 3 * dw;
    float u0 = 0.f, u1 = 0.f, u2 = 0.f;
    if (steps > 0) {
        u0 = ld(ur[d]);
        u1 = ld(ur[dw + d]);
        u2 = ld(ur[2 * dw + d]);
    }
    for (int t = 0; t < steps; t++) {
        PARARNN_DEPENDENT_STEP();
        const long long row = (long long) b * steps + t;
        float n0 = 0.f, n1 = 0.f, n2 = 0.f;
        if (t + 1 < steps) {
            const float* nr = ur + (long long) (t + 1) * 3 * dw;
            n0 = ld(nr[d]);
            n1 = ld(nr[dw + d]);
            n2 = ld(nr[2 * dw + d]);
        }
        Cell::advance(w, x, u0, u1, u2);
#pragma unroll
        for (int i = 0; i < K; i++) {
            st(states[row * K * dw + i * dw + d], x[i]);
        }
        u0 = n0;
        u1 = n1;
        u2 = n2;
    }
}

template <class Cell>
__device__ void adjointSequential(const float* __restrict__ a, const float* __restrict__ c, const float* __restrict__ u,
                                  const float* __restrict__ init, const float* __restrict__ states,
                                  const float* __restrict__ gradStates, float* __restrict__ gradU, float* __restrict__ gradParts,
                                  float* __restrict__ gradInit, int batch, int steps, int dw) {
    constexpr int K = Cell::K;
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const int sw = K * dw;
    const typename Cell::Weights w = Cell::load(a, c, d, dw);
    float carry[K];
    float parts[Cell::PARTS];
#pragma unroll
    for (int i = 0; i < K; i++) {
        carry[i] = 0.f;
    }
#pragma unroll
    for (int g = 0; g < Cell::PARTS; g++) {
        parts[g] = 0.f;
    }
    // A step's loads (the state before it, its output gradient, its inputs) are issued one step ahead, so that
    // their latency overlaps the previous step's arithmetic instead of following it.
    float x[K], g[K], u0 = 0.f, u1 = 0.f, u2 = 0.f;
    auto loadStep = [&](int t, float (&xs)[K], float (&gs)[K], float& v0, float& v1, float& v2) {
        const long long row = (long long) b * steps + t;
        stateBefore<K>(states, init, b, d, dw, steps, t, xs);
#pragma unroll
        for (int i = 0; i < K; i++) {
            gs[i] = ld(gradStates[row * sw + i * dw + d]);
        }
        const float* ur = u + row * 3 * dw;
        v0 = ld(ur[d]);
        v1 = ld(ur[dw + d]);
        v2 = ld(ur[2 * dw + d]);
    };
    if (steps > 0) {
        loadStep(steps - 1, x, g, u0, u1, u2);
    }
    for (int t = steps - 1; t >= 0; t--) {
        PARARNN_DEPENDENT_STEP();
        const long long row = (long long) b * steps + t;
        float nx[K] = {}, ng[K] = {}, n0 = 0.f, n1 = 0.f, n2 = 0.f;
        if (t > 0) {
            loadStep(t - 1, nx, ng, n0, n1, n2);
        }
        float l[K];
#pragma unroll
        for (int i = 0; i < K; i++) {
            l[i] = g[i] + carry[i];
        }
        float j[K * K];
        Cell::adjointAt(w, x, u0, u1, u2, d, dw, l, gradU + row * 3 * dw, parts, j);
        transposedTimes<K>(j, l, carry);
#pragma unroll
        for (int i = 0; i < K; i++) {
            x[i] = nx[i];
            g[i] = ng[i];
        }
        u0 = n0;
        u1 = n1;
        u2 = n2;
    }
#pragma unroll
    for (int g = 0; g < Cell::PARTS; g++) {
        st(gradParts[lane * Cell::PARTS + g], parts[g]);
    }
    if (gradInit != nullptr) {
#pragma unroll
        for (int i = 0; i < K; i++) {
            st(gradInit[(long long) b * sw + i * dw + d], carry[i]);
        }
    }
}

}  // namespace pararnn

extern "C" __global__ void pararnn_gru_sequential(const float* a, const float* u, const float* init, float* states,
                                                  int batch, int steps, int dw) {
    pararnn::walkSequential<pararnn::GruCell>(a, nullptr, u, init, states, batch, steps, dw);
}

extern "C" __global__ void pararnn_lstm_sequential(const float* a, const float* c, const float* u, const float* init,
                                                   float* states, int batch, int steps, int dw) {
    pararnn::walkSequential<pararnn::LstmCell>(a, c, u, init, states, batch, steps, dw);
}

extern "C" __global__ void pararnn_gru_adjoint_sequential(const float* a, const float* u, const float* init,
                                                          const float* states, const float* gradStates, float* gradU,
                                                          float* gradParts, float* gradInit, int batch, int steps,
                                                          int dw) {
    pararnn::adjointSequential<pararnn::GruCell>(a, nullptr, u, init, states, gradStates, gradU, gradParts, gradInit,
                                                 batch, steps, dw);
}

extern "C" __global__ void pararnn_lstm_adjoint_sequential(const float* a, const float* c, const float* u,
                                                           const float* init, const float* states,
                                                           const float* gradStates, float* gradU, float* gradParts,
                                                           float* gradInit, int batch, int steps, int dw) {
    pararnn::adjointSequential<pararnn::LstmCell>(a, c, u, init, states, gradStates, gradU, gradParts, gradInit, batch,
                                                  steps, dw);
}

// ---------------------------------------------------------------------------------------------------------
// Newton in time, fused, for a cell whose Jacobian is K×K per feature (ParaGRU: K = 1; ParaLSTM: K = 2 over
// (c, h)). A block holds L lanes (adjacent features) × Y time chunks of `chunk` steps (at most MAXC, kept in
// registers with their projected inputs, iterate, J and f − J·h). Window after window, from the window's
// exact incoming state and the zero guess, each iteration evaluates f and J at the current iterate,
// measures the residual max |h − f(shift h)| over the window and the state's components (block-wide, NaN
// kept), stops when it is within tol · max(1, max |f|), and otherwise solves h⁺_t = J_t h⁺_{t−1} + (f_t −
// J_t h_{t−1}) with the scan's chunk → warp → block combine (pararnn_scan.h). A window that diverges
// (non-finite residual, `patience` increases in a row) or spends `budget` iterations is, with `fallback`,
// solved sequentially on the device from its start, and so is the rest of the sequence: the converged
// windows before it are kept. Without `fallback` its last iterate is stored and the next window starts
// from it.
//
// stats[block][PARARNN_NEWTON_STATS + budget + 1]: [0] most iterations in a window, [1] largest final
// residual of a window, [2] first step solved sequentially (−1: none), [3] failure code (0 none, 1
// non-finite, 2 diverging, 3 budget spent), then [4 + i] the largest residual any window had at iteration i.
//
// Shared memory (floats): Pair<K> totals [groups][L], lastVal [Y][L][K], red [2·warps], carryS [L][K].
#define PARARNN_NEWTON_STATS 4

namespace pararnn {

// max that keeps NaN
__device__ __forceinline__ float maxNaN(float a, float b) {
    return (b > a || b != b) ? b : a;
}

// Block-wide NaN-keeping max of two values; every thread gets both. red: 2 × warps floats of shared memory.
__device__ __forceinline__ void blockMax2(float& p, float& q, float* red) {
    for (int off = 16; off > 0; off >>= 1) {
        p = maxNaN(p, __shfl_xor_sync(PARARNN_FULL_MASK, p, off));
        q = maxNaN(q, __shfl_xor_sync(PARARNN_FULL_MASK, q, off));
    }
    const int tid = threadIdx.x + threadIdx.y * blockDim.x;
    const int warps = (blockDim.x * blockDim.y + 31) / 32;
    if (tid % 32 == 0) {
        red[2 * (tid / 32)] = p;
        red[2 * (tid / 32) + 1] = q;
    }
    __syncthreads();
    p = 0.f;
    q = 0.f;
    for (int w = 0; w < warps; w++) {
        p = maxNaN(p, red[2 * w]);
        q = maxNaN(q, red[2 * w + 1]);
    }
    __syncthreads();
}

// Where a thread of the in-time kernels sits: a block holds L = blockDim.x lanes (feature d of batch row
// b, adjacent features on adjacent x) × Y = blockDim.y time chunks; lanes past B·D are inactive but take
// part in every barrier and shuffle.
struct ChunkLane {
    int lanesPerBlock, ys, x, y, groups;
    long long lane;
    bool active;
    int b, d;

    __device__ ChunkLane(int batch, int dw)
        : lanesPerBlock(blockDim.x), ys(blockDim.y), x(threadIdx.x), y(threadIdx.y),
          groups(chunkGroups(blockDim.x, blockDim.y)), lane((long long) blockIdx.x * blockDim.x + threadIdx.x),
          active(lane < (long long) batch * dw), b(active ? (int) (lane / dw) : 0), d(active ? (int) (lane % dw) : 0) {
    }
};

template <class Cell, int MAXC>
__device__ void newtonInTime(const float* a, const float* c, const float* u, const float* init, float* states,
                             float* stats, int batch, int steps, int dw, int chunk, int budget, float tol, int patience,
                             int fallback) {
    constexpr int K = Cell::K;
    PARARNN_DYNAMIC_SHARED(float, smem);
    const ChunkLane at(batch, dw);
    const int lanesPerBlock = at.lanesPerBlock, ys = at.ys, x = at.x, y = at.y, groups = at.groups, b = at.b, d = at.d;
    const bool active = at.active;
    const int warps = (lanesPerBlock * ys + 31) / 32;
    const int sw = K * dw;  // a state row
    Pair<K>* totals = reinterpret_cast<Pair<K>*>(smem);
    float* lastVal = smem + groups * lanesPerBlock * (K * K + K);
    float* red = lastVal + ys * lanesPerBlock * K;
    float* carryS = red + 2 * warps;
    const typename Cell::Weights w = active ? Cell::load(a, c, d, dw) : typename Cell::Weights{};
    float* stat = stats + (long long) blockIdx.x * (PARARNN_NEWTON_STATS + budget + 1);
    const bool leader = x == 0 && y == 0;
    if (leader) {
        st(stat[0], 0.f);
        st(stat[1], 0.f);
        st(stat[2], -1.f);
        st(stat[3], 0.f);
        for (int i = 0; i <= budget; i++) {
            st(stat[PARARNN_NEWTON_STATS + i], 0.f);
        }
    }
    float carry[K];
#pragma unroll
    for (int i = 0; i < K; i++) {
        carry[i] = (active && init != nullptr) ? ld(init[(long long) b * sw + i * dw + d]) : 0.f;
    }
    const int n = steps;
    const int span = ys * chunk;
    for (int w0 = 0; w0 < n; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + y * chunk;
        const int cnt = active ? max(0, min(chunk, n - s0)) : 0;
        // Constant indices (unrolled, guarded) keep the chunk's arrays in registers.
        float u0[MAXC], u1[MAXC], u2[MAXC];
        float h[MAXC][K], ja[MAXC][K * K], jb[MAXC][K];
#pragma unroll
        for (int j = 0; j < MAXC; j++) {
#pragma unroll
            for (int i = 0; i < K; i++) {
                h[j][i] = 0.f;
            }
            if (j < cnt) {
                const float* ur = u + ((long long) b * steps + s0 + j) * 3 * dw;
                u0[j] = ld(ur[d]);
                u1[j] = ld(ur[dw + d]);
                u2[j] = ld(ur[2 * dw + d]);
            }
        }
        int it = 0;
        int growth = 0;
        int code = 0;
        float previous = 0.f;
        float residual = 0.f;
        while (true) {
            // The state before my first step: the window's exact carry, or the previous chunk's last iterate.
#pragma unroll
            for (int j = 0; j < MAXC; j++) {
                if (j == cnt - 1) {
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        lastVal[(y * lanesPerBlock + x) * K + i] = h[j][i];
                    }
                }
            }
            __syncthreads();
            float hp[K];
#pragma unroll
            for (int i = 0; i < K; i++) {
                hp[i] = y == 0 ? carry[i] : lastVal[((y - 1) * lanesPerBlock + x) * K + i];
            }
            float res = 0.f;
            float fmax = 0.f;
#pragma unroll
            for (int j = 0; j < MAXC; j++) {
                if (j < cnt) {
                    float f[K];
                    float jac[K * K];
                    Cell::eval(w, hp, u0[j], u1[j], u2[j], f, jac);
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        res = maxNaN(res, fabsf(h[j][i] - f[i]));
                        fmax = maxNaN(fmax, fabsf(f[i]));
                        float acc = f[i];
#pragma unroll
                        for (int q = 0; q < K; q++) {
                            acc = fmaf(-jac[i * K + q], hp[q], acc);
                        }
                        jb[j][i] = acc;
                    }
#pragma unroll
                    for (int i = 0; i < K * K; i++) {
                        ja[j][i] = jac[i];
                    }
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        hp[i] = h[j][i];
                    }
                }
            }
            blockMax2(res, fmax, red);
            residual = res;
            if (leader) {
                st(stat[PARARNN_NEWTON_STATS + it], maxNaN(ld(stat[PARARNN_NEWTON_STATS + it]), res));
            }
            if (res <= tol * fmaxf(1.f, fmax)) {
                break;
            }
            if (res != res || isinf(res)) {
                code = 1;
            } else {
                growth = (it > 0 && res > previous) ? growth + 1 : 0;
                code = growth >= patience ? 2 : (it == budget ? 3 : 0);
            }
            if (code != 0) {
                break;
            }
            previous = res;
            // Newton step: this chunk's transfer product and response, combined along the lane's chunks.
            Pair<K> mine;
            identity<K>(mine);
#pragma unroll
            for (int j = 0; j < MAXC; j++) {
                if (j < cnt) {
                    Pair<K> one;
#pragma unroll
                    for (int i = 0; i < K * K; i++) {
                        one.p[i] = ja[j][i];
                    }
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        one.v[i] = jb[j][i];
                    }
                    compose<K>(one, mine);
                }
            }
            float hin[K];
            laneCarryIn<K>(mine, totals, carry, hin);
#pragma unroll
            for (int j = 0; j < MAXC; j++) {
                if (j < cnt) {
                    pararnn::step<K>(ja[j], jb[j], hin);
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        h[j][i] = hin[i];
                    }
                }
            }
            __syncthreads();
            it++;
        }
        if (leader) {
            st(stat[0], fmaxf(ld(stat[0]), (float) it));
            st(stat[1], maxNaN(ld(stat[1]), residual));
        }
        if (code != 0 && leader && ld(stat[3]) == 0.f) {
            st(stat[2], (float) w0);
            st(stat[3], (float) code);
        }
        if (code != 0 && fallback) {
            // Keep the windows before; solve this one and the rest sequentially from the exact carry.
            if (y == 0 && active) {
                float hs[K];
#pragma unroll
                for (int i = 0; i < K; i++) {
                    hs[i] = carry[i];
                }
                for (int s = w0; s < n; s++) {
                    PARARNN_DEPENDENT_STEP();
                    const long long row = (long long) b * steps + s;
                    Cell::next(w, hs, u + row * 3 * dw, d, dw);
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        st(states[row * sw + i * dw + d], hs[i]);
                    }
                }
            }
            break;
        }
#pragma unroll
        for (int j = 0; j < MAXC; j++) {
            if (j < cnt) {
#pragma unroll
                for (int i = 0; i < K; i++) {
                    st(states[((long long) b * steps + s0 + j) * sw + i * dw + d], h[j][i]);
                }
            }
        }
        // The carry into the next window: the state at this window's last step, from the thread holding it.
        const int last = min(w0 + span, n) - 1;
        if (y == (last - w0) / chunk) {
#pragma unroll
            for (int j = 0; j < MAXC; j++) {
                if (j == last - s0) {
#pragma unroll
                    for (int i = 0; i < K; i++) {
                        carryS[x * K + i] = h[j][i];
                    }
                }
            }
        }
        __syncthreads();
#pragma unroll
        for (int i = 0; i < K; i++) {
            carry[i] = carryS[x * K + i];
        }
        __syncthreads();
    }
}


// ---------------------------------------------------------------------------------------------------------
// Newton over the whole sequence with time spread over blocks, for few lanes (docs/design.md §7): the iterate
// lives in global memory (xs [B][T][S]; null for the first, zero, iterate) and each block owns one segment of one lane
// group's time (blockIdx.x the group, blockIdx.y the segment, as the spread scans). One iteration is
//  (1) newtonSpreadReduce: at the iterate, each step's f and J, the residual max |x_t − f_t| and max |f_t|
//      (per block, NaN kept: stats [blocks][2]), and the segment's summary of the linearised steps
//      h_t = J_t h_{t−1} + (f_t − J_t x_{t−1}) as one pair, written as the summaries' scan wants them;
//  (2) the host reads the maxima: converged, the iterate is the answer; else pararnn_scan_k{K} scans the
//      summaries into the state entering every segment;
//  (3) newtonSpreadUpdate: the same pairs again, combined across the block from the segment's carry, each
//      step re-walked into the new iterate (another buffer: a neighbouring segment still reads the old).
// Exactly DEER's iteration, with the windowed kernel's steps and combines; its depth is three launches an
// iteration, whatever T.

// Step t's linearisation at the iterate: M = J_t, b = f_t − J_t x_{t−1}, with the residual and |f| maxima.
// xs null: the first iterate, zero everywhere (read from nowhere).
template <class Cell>
__device__ __forceinline__ void linearised(const typename Cell::Weights& w, const float* u, const float* xs,
                                           const float* init, int b, int d, int dw, int steps, int t,
                                           float (&m)[Cell::K * Cell::K], float (&bv)[Cell::K], float& res, float& fmax) {
    constexpr int K = Cell::K;
    float xp[K];
    if (xs != nullptr || t == 0) {
        stateBefore<K>(xs, init, b, d, dw, steps, t, xp);
    } else {
#pragma unroll
        for (int i = 0; i < K; i++) {
            xp[i] = 0.f;
        }
    }
    const float* ur = u + ((long long) b * steps + t) * 3 * dw;
    float f[K];
    Cell::eval(w, xp, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]), f, m);
#pragma unroll
    for (int i = 0; i < K; i++) {
        const float cur = xs != nullptr ? ld(xs[((long long) b * steps + t) * K * dw + i * dw + d]) : 0.f;
        res = maxNaN(res, fabsf(cur - f[i]));
        fmax = maxNaN(fmax, fabsf(f[i]));
        float acc = f[i];
#pragma unroll
        for (int q = 0; q < K; q++) {
            acc = fmaf(-m[i * K + q], xp[q], acc);
        }
        bv[i] = acc;
    }
}

// The pair of this thread's chunk [s0, s1) of the linearised steps.
template <class Cell>
__device__ __forceinline__ Pair<Cell::K> linearisedChunk(const typename Cell::Weights& w, const float* u, const float* xs,
                                                        const float* init, int b, int d, int dw, int steps, int s0, int s1,
                                                        float& res, float& fmax) {
    constexpr int K = Cell::K;
    Pair<K> mine;
    identity<K>(mine);
    for (int t = s0; t < s1; t++) {
        Pair<K> one;
        linearised<Cell>(w, u, xs, init, b, d, dw, steps, t, one.p, one.v, res, fmax);
        compose<K>(one, mine);
    }
    return mine;
}

// Shared memory (bytes): Pair<K> totals [groups][L], then red [2·warps] floats.
template <class Cell>
__device__ void newtonSpreadReduce(const float* a, const float* c, const float* u, const float* init, const float* xs,
                                   float* sumA, float* sumB, float* stats, int batch, int steps, int dw, int chunk,
                                   int segSteps) {
    constexpr int K = Cell::K;
    PARARNN_DYNAMIC_SHARED(float, smem);
    const ChunkLane at(batch, dw);
    Pair<K>* totals = reinterpret_cast<Pair<K>*>(smem);
    float* red = smem + at.groups * at.lanesPerBlock * (K * K + K);
    const typename Cell::Weights w = at.active ? Cell::load(a, c, at.d, dw) : typename Cell::Weights{};
    int seg0, seg1;
    segmentBounds(steps, segSteps, seg0, seg1);
    Pair<K> total;
    identity<K>(total);
    float res = 0.f;
    float fmax = 0.f;
    const int span = at.ys * chunk;
    for (int w0 = seg0; w0 < seg1; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + at.y * chunk;
        const int s1 = min(s0 + chunk, seg1);
        Pair<K> mine;
        identity<K>(mine);
        if (at.active) {
            mine = linearisedChunk<Cell>(w, u, xs, init, at.b, at.d, dw, steps, s0, s1, res, fmax);
        }
        foldWindow<K>(mine, totals, total);
    }
    blockMax2(res, fmax, red);
    if (at.x == 0 && at.y == 0) {
        const long long blk = (long long) blockIdx.y * gridDim.x + blockIdx.x;
        st(stats[2 * blk], res);
        st(stats[2 * blk + 1], fmax);
    }
    if (at.y == 0 && at.active) {
        storeSummary<K>(sumA, sumB, (long long) at.b * gridDim.y + blockIdx.y, dw, at.d, total);
    }
}

// Shared memory (bytes): Pair<K> totals [groups][L].
template <class Cell>
__device__ void newtonSpreadUpdate(const float* a, const float* c, const float* u, const float* init, const float* xs,
                                   const float* carries, float* next, int batch, int steps, int dw, int chunk,
                                   int segSteps) {
    constexpr int K = Cell::K;
    PARARNN_DYNAMIC_SHARED(Pair<K>, totals);
    const ChunkLane at(batch, dw);
    const typename Cell::Weights w = at.active ? Cell::load(a, c, at.d, dw) : typename Cell::Weights{};
    const int sw = K * dw;
    int seg0, seg1;
    segmentBounds(steps, segSteps, seg0, seg1);
    float carry[K];
    segmentCarry<K>(init, carries, at.b, at.d, sw, at.active, carry);
    float unused = 0.f;
    const int span = at.ys * chunk;
    for (int w0 = seg0; w0 < seg1; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + at.y * chunk;
        const int s1 = min(s0 + chunk, seg1);
        Pair<K> mine;
        identity<K>(mine);
        if (at.active) {
            mine = linearisedChunk<Cell>(w, u, xs, init, at.b, at.d, dw, steps, s0, s1, unused, unused);
        }
        float h[K];
        laneCarryIn<K>(mine, totals, carry, h);
        if (at.active) {
            for (int t = s0; t < s1; t++) {
                float m[K * K];
                float bv[K];
                linearised<Cell>(w, u, xs, init, at.b, at.d, dw, steps, t, m, bv, unused, unused);
                pararnn::step<K>(m, bv, h);
#pragma unroll
                for (int i = 0; i < K; i++) {
                    st(next[((long long) at.b * steps + t) * sw + i * dw + at.d], h[i]);
                }
            }
        }
        for (int g = 0; g < at.groups; g++) {
            apply<K>(totals[g * at.lanesPerBlock + at.x], carry);
        }
        __syncthreads();
    }
}

// ---------------------------------------------------------------------------------------------------------
// The adjoint in time: λ_t = g_t + J_{t+1}ᵀ λ_{t+1} (λ_T = 0) is a linear recurrence in reverse, solved by
// the chunked scan over the block layout of newtonInTime (s = T − 1 − t runs forward): per window each
// thread (1) reduces its chunk's pairs (J_{t+1}ᵀ, g_t), with J_{t+1} recomputed from the saved state h_t,
// (2) gets λ entering its chunk from the lane's other chunks (laneCarryIn), (3) re-walks its chunk to λ_t
// and, at each step, writes ∂L/∂u_t and adds the weight partials (Cell::adjoint, which also gives the J_t
// the next step back needs); the thread holding t = 0 writes ∂L/∂h0 = J_0ᵀ λ_0. A lane's partials are
// added over its chunks in y order at the end (fixed order: the same bits on every run).
//
// Shared memory: Pair<K> totals [groups][L], then parts [Y][L][PARTS] floats.
// The pair of this thread's chunk of the adjoint's scan: steps (J_{t+1}ᵀ, g_t) for t = tHi down to tHi − cnt + 1,
// J recomputed from the saved states; jn gets J_{tHi+1} (zero after the last step), which the re-walk starts from.
template <class Cell>
__device__ __forceinline__ Pair<Cell::K> adjointChunkPair(const typename Cell::Weights& w, const float* u, const float* init,
                                                         const float* states, const float* gradStates, int b, int d,
                                                         int dw, int steps, int tHi, int cnt,
                                                         float (&jn)[Cell::K * Cell::K]) {
    constexpr int K = Cell::K;
    const int n = steps;
    const int sw = K * dw;
#pragma unroll
    for (int i = 0; i < K * K; i++) {
        jn[i] = 0.f;
    }
    if (cnt > 0 && tHi + 1 < n) {
        float xs[K], f[K];
        stateBefore<K>(states, init, b, d, dw, steps, tHi + 1, xs);
        const float* ur = u + ((long long) b * steps + tHi + 1) * 3 * dw;
        Cell::eval(w, xs, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]), f, jn);
    }
    Pair<K> mine;
    identity<K>(mine);
    float jt[K * K];
#pragma unroll
    for (int i = 0; i < K * K; i++) {
        jt[i] = jn[i];
    }
    for (int k = 0; k < cnt; k++) {
        const int t = tHi - k;
        const long long row = (long long) b * steps + t;
        Pair<K> one;
#pragma unroll
        for (int i = 0; i < K; i++) {
#pragma unroll
            for (int q = 0; q < K; q++) {
                one.p[i * K + q] = jt[q * K + i];
            }
            one.v[i] = ld(gradStates[row * sw + i * dw + d]);
        }
        compose<K>(one, mine);
        if (k + 1 < cnt) {
            float xs[K], f[K];
            stateBefore<K>(states, init, b, d, dw, steps, t, xs);
            const float* ur = u + row * 3 * dw;
            Cell::eval(w, xs, ld(ur[d]), ld(ur[dw + d]), ld(ur[2 * dw + d]), f, jt);
        }
    }
    return mine;
}

// Windowed (gridDim.y = 1): one block walks its lanes' whole reverse sequence. Spread (gridDim.y = segments of
// segSteps steps in s = T − 1 − t order): λ entering the segment is carries[segment − 1] (the scan of the
// segments' summaries from adjointSpreadReduce; zero for the first), and the partials go to gradParts
// [segment][B·D][PARTS], added over segments in order by pararnn_sum_segments.
template <class Cell>
__device__ void adjointInTime(const float* a, const float* c, const float* u, const float* init, const float* states,
                              const float* gradStates, float* gradU, float* gradParts, float* gradInit, int batch,
                              int steps, int dw, int chunk, const float* carries, int segSteps) {
    constexpr int K = Cell::K;
    constexpr int P = Cell::PARTS;
    PARARNN_DYNAMIC_SHARED(float, smem);
    const ChunkLane at(batch, dw);
    const int lanesPerBlock = at.lanesPerBlock, ys = at.ys, x = at.x, y = at.y, groups = at.groups, b = at.b, d = at.d;
    const bool active = at.active;
    const long long lane = at.lane;
    const int sw = K * dw;
    Pair<K>* totals = reinterpret_cast<Pair<K>*>(smem);
    float* partsS = smem + groups * lanesPerBlock * (K * K + K);
    const typename Cell::Weights w = active ? Cell::load(a, c, d, dw) : typename Cell::Weights{};
    float parts[P];
#pragma unroll
    for (int g = 0; g < P; g++) {
        parts[g] = 0.f;
    }
    float carry[K];  // λ after the sequence's last step is zero
    segmentCarry<K>(nullptr, carries, b, d, sw, active, carry);
    const int n = steps;
    int seg0, seg1;
    segmentBounds(n, segSteps, seg0, seg1);
    const int span = ys * chunk;
    for (int w0 = seg0; w0 < seg1; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + y * chunk;
        const int cnt = active ? max(0, min(chunk, seg1 - s0)) : 0;
        const int tHi = n - 1 - s0;  // this chunk's steps: tHi down to tHi − cnt + 1
        // (1) the chunk's pair; jn = J_{tHi+1}, the step after the chunk.
        float jn[K * K];
        const Pair<K> mine = adjointChunkPair<Cell>(w, u, init, states, gradStates, b, d, dw, steps, tHi, cnt, jn);
        // (2) λ_{tHi+1}, entering this chunk.
        float lam[K];
        laneCarryIn<K>(mine, totals, carry, lam);
        // (3) the re-walk: λ_t, then the step's gradients and J_t for the step before.
        for (int k = 0; k < cnt; k++) {
            const int t = tHi - k;
            const long long row = (long long) b * steps + t;
            float l[K];
            transposedTimes<K>(jn, lam, l);
#pragma unroll
            for (int i = 0; i < K; i++) {
                l[i] += ld(gradStates[row * sw + i * dw + d]);
            }
            float xs[K];
            stateBefore<K>(states, init, b, d, dw, steps, t, xs);
            Cell::adjoint(w, xs, u + row * 3 * dw, d, dw, l, gradU + row * 3 * dw, parts, jn);
#pragma unroll
            for (int i = 0; i < K; i++) {
                lam[i] = l[i];
            }
            if (t == 0 && gradInit != nullptr) {
                float g0[K];
                transposedTimes<K>(jn, lam, g0);
#pragma unroll
                for (int i = 0; i < K; i++) {
                    st(gradInit[(long long) b * sw + i * dw + d], g0[i]);
                }
            }
        }
        // λ at the window's earliest step, carried into the next window: every group's total in order.
        for (int g = 0; g < groups; g++) {
            apply<K>(totals[g * lanesPerBlock + x], carry);
        }
        __syncthreads();
    }
    // The lane's weight partials over this segment: its chunks' sums added in y order.
#pragma unroll
    for (int g = 0; g < P; g++) {
        partsS[(y * lanesPerBlock + x) * P + g] = parts[g];
    }
    __syncthreads();
    if (y == 0 && active) {
        const long long lanes = (long long) batch * dw;
        for (int g = 0; g < P; g++) {
            float sum = 0.f;
            for (int yy = 0; yy < ys; yy++) {
                sum += partsS[(yy * lanesPerBlock + x) * P + g];
            }
            st(gradParts[((long long) blockIdx.y * lanes + lane) * P + g], sum);
        }
    }
}

// The summary of this block's segment of the adjoint's scan (s order), per lane, as a step of the summaries'
// forward scan (sumA [B][segments][K·K·D], sumB [B][segments][K·D]). Shared memory: Pair<K> totals [groups][L].
template <class Cell>
__device__ void adjointSpreadReduce(const float* a, const float* c, const float* u, const float* init, const float* states,
                                    const float* gradStates, float* sumA, float* sumB, int batch, int steps, int dw,
                                    int chunk, int segSteps) {
    constexpr int K = Cell::K;
    PARARNN_DYNAMIC_SHARED(Pair<K>, totals);
    const ChunkLane at(batch, dw);
    const typename Cell::Weights w = at.active ? Cell::load(a, c, at.d, dw) : typename Cell::Weights{};
    const int n = steps;
    int seg0, seg1;
    segmentBounds(n, segSteps, seg0, seg1);
    Pair<K> total;
    identity<K>(total);
    const int span = at.ys * chunk;
    for (int w0 = seg0; w0 < seg1; w0 += span) {
        PARARNN_DEPENDENT_STEP();
        const int s0 = w0 + at.y * chunk;
        const int cnt = at.active ? max(0, min(chunk, seg1 - s0)) : 0;
        float jn[K * K];
        const Pair<K> mine = adjointChunkPair<Cell>(w, u, init, states, gradStates, at.b, at.d, dw, steps, n - 1 - s0, cnt, jn);
        foldWindow<K>(mine, totals, total);
    }
    if (at.y == 0 && at.active) {
        storeSummary<K>(sumA, sumB, (long long) at.b * gridDim.y + blockIdx.y, dw, at.d, total);
    }
}

}  // namespace pararnn

// Newton in time keeps a thread's steps in registers, so the kernels come in sizes (MAXC steps at most):
// the host takes the smallest that holds its chunk, because unused register slots of a larger size still
// cost registers and so blocks per SM (README, "Where the defaults come from").
#define PARARNN_NEWTON_KERNEL(name, Cell, MAXC, BOUNDS)                                                             \
    extern "C" __global__ void BOUNDS name(const float* a, const float* c, const float* u, const float* init, float* states, \
                                    float* stats, int batch, int steps, int dw, int chunk, int budget, float tol,     \
                                    int patience, int fallback) {                                                     \
        pararnn::newtonInTime<Cell, MAXC>(a, c, u, init, states, stats, batch, steps, dw, chunk, budget, tol,        \
                                          patience, fallback);                                                        \
    }

// ParaGRU's 4-step kernel is bounded to 64 registers so that four 256-thread blocks share an SM; ParaLSTM's would
// spill there and the larger sizes need their registers (README, "Where the defaults come from").
PARARNN_NEWTON_KERNEL(pararnn_gru_newton_c4, pararnn::GruCell, 4, PARARNN_WINDOWED_BLOCK_X4)
PARARNN_NEWTON_KERNEL(pararnn_gru_newton_c16, pararnn::GruCell, 16, )
PARARNN_NEWTON_KERNEL(pararnn_lstm_newton_c4, pararnn::LstmCell, 4, )
PARARNN_NEWTON_KERNEL(pararnn_lstm_newton_c8, pararnn::LstmCell, 8, )

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_gru_adjoint_scan(
        const float* a, const float* u, const float* init, const float* states, const float* gradStates, float* gradU,
        float* gradParts, float* gradInit, int batch, int steps, int dw, int chunk, const float* carries, int segSteps) {
    pararnn::adjointInTime<pararnn::GruCell>(a, nullptr, u, init, states, gradStates, gradU, gradParts, gradInit, batch, steps,
                                             dw, chunk, carries, segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_gru_adjoint_spread_reduce(
        const float* a, const float* u, const float* init, const float* states, const float* gradStates, float* sumA,
        float* sumB, int batch, int steps, int dw, int chunk, int segSteps) {
    pararnn::adjointSpreadReduce<pararnn::GruCell>(a, nullptr, u, init, states, gradStates, sumA, sumB, batch, steps, dw, chunk,
                                                   segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_lstm_adjoint_scan(
        const float* a, const float* c, const float* u, const float* init, const float* states, const float* gradStates, float* gradU,
        float* gradParts, float* gradInit, int batch, int steps, int dw, int chunk, const float* carries, int segSteps) {
    pararnn::adjointInTime<pararnn::LstmCell>(a, c, u, init, states, gradStates, gradU, gradParts, gradInit, batch, steps,
                                             dw, chunk, carries, segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_lstm_adjoint_spread_reduce(
        const float* a, const float* c, const float* u, const float* init, const float* states, const float* gradStates, float* sumA,
        float* sumB, int batch, int steps, int dw, int chunk, int segSteps) {
    pararnn::adjointSpreadReduce<pararnn::LstmCell>(a, c, u, init, states, gradStates, sumA, sumB, batch, steps, dw, chunk,
                                                   segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_gru_newton_spread_reduce(
        const float* a, const float* u, const float* init, const float* xs, float* sumA, float* sumB, float* stats,
        int batch, int steps, int dw, int chunk, int segSteps) {
    pararnn::newtonSpreadReduce<pararnn::GruCell>(a, nullptr, u, init, xs, sumA, sumB, stats, batch, steps, dw, chunk,
                                                  segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_lstm_newton_spread_reduce(
        const float* a, const float* c, const float* u, const float* init, const float* xs, float* sumA, float* sumB,
        float* stats, int batch, int steps, int dw, int chunk, int segSteps) {
    pararnn::newtonSpreadReduce<pararnn::LstmCell>(a, c, u, init, xs, sumA, sumB, stats, batch, steps, dw, chunk,
                                                   segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_gru_newton_spread_update(
        const float* a, const float* u, const float* init, const float* xs, const float* carries, float* next, int batch,
        int steps, int dw, int chunk, int segSteps) {
    pararnn::newtonSpreadUpdate<pararnn::GruCell>(a, nullptr, u, init, xs, carries, next, batch, steps, dw, chunk,
                                                  segSteps);
}

extern "C" __global__ void PARARNN_WIDE_BLOCK pararnn_lstm_newton_spread_update(
        const float* a, const float* c, const float* u, const float* init, const float* xs, const float* carries,
        float* next, int batch, int steps, int dw, int chunk, int segSteps) {
    pararnn::newtonSpreadUpdate<pararnn::LstmCell>(a, c, u, init, xs, carries, next, batch, steps, dw, chunk, segSteps);
}

// out[i] = Σ_s parts[s][i] for i < n, segments in order (the same bits on every run).
extern "C" __global__ void pararnn_sum_segments(const float* parts, int segments, int n, float* out) {
    const long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    float sum = 0.f;
    for (int sgm = 0; sgm < segments; sgm++) {
        sum += pararnn::ld(parts[(long long) sgm * n + i]);
    }
    pararnn::st(out[i], sum);
}

// ---------------------------------------------------------------------------------------------------------------
// Cell tapes (docs/design.md §4, "Cell tapes"): a cell-language cell's program interpreted per (row, feature).
// code: 8 words per instruction (op, out, a, b, c, index, param, constant) as CellTape encodes them; consts: the
// program's constants; params: every parameter's data packed, parameter p at paramOffsets[p] ([rows][D] or [D][D]);
// h: [rows][hStride] (the state blocks at k·D), u: [rows][uStride] (the gates at g·D); out: [rows][outputs][D].
// One thread per (row, feature); registers in the thread's own array, so a tape has at most PARARNN_TAPE_REGISTERS.
// Float arithmetic with the device's expf / tanhf / log1pf: within a few ulp of the host interpreter, not its bits.
#define PARARNN_TAPE_REGISTERS 128

namespace pararnn {

__device__ __forceinline__ float tapeApply(int op, float x, float y, float z) {
    switch (op) {
        case 5: return x + y;
        case 6: return x - y;
        case 7: return x * y;
        case 8: return x / y;
        case 9: return -x;
        case 10: return expf(x);
        case 11: return logf(x);
        case 12: return tanhf(x);
        case 13: return 1.f / (1.f + expf(-x));
        case 14: return x > 20.f ? x : log1pf(expf(x));
        case 15: return x / (1.f + expf(-x));
        case 16: return fmaxf(x, y);
        case 17: return fminf(x, y);
        case 18: return x > 0.f ? y : z;
        default: return __int_as_float(0x7fc00000);  // an unknown code: NaN, which the host's checks never let through
    }
}

}  // namespace pararnn

extern "C" __global__ void pararnn_tape_run(const int* code, int instructions, const int* outputs, int nOut,
                                            const float* consts, const float* params, const int* paramOffsets,
                                            const float* h, int hStride, const float* u, int uStride, int rows, int dw,
                                            float* out) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) rows * dw) {
        return;
    }
    const long long row = lane / dw;
    const int i = (int) (lane % dw);
    const float* hr = h + row * hStride;
    const float* ur = u + row * uStride;
    float regs[PARARNN_TAPE_REGISTERS];
    for (int n = 0; n < instructions; n++) {
        const int* in = code + 8 * n;
        const int op = in[0];
        float v;
        switch (op) {
            case 0: v = pararnn::ld(consts[in[7]]); break;
            case 1: v = pararnn::ld(hr[in[5] * dw + i]); break;
            case 2: v = pararnn::ld(ur[in[5] * dw + i]); break;
            case 3: v = pararnn::ld(params[paramOffsets[in[6]] + in[5] * dw + i]); break;
            case 4: {
                const float* w = params + paramOffsets[in[6]] + (long long) i * dw;
                const float* hk = hr + in[5] * dw;
                float acc = 0.f;
                for (int e = 0; e < dw; e++) {
                    acc = fmaf(pararnn::ld(w[e]), pararnn::ld(hk[e]), acc);
                }
                v = acc;
                break;
            }
            default:
                v = pararnn::tapeApply(op, regs[in[2]], in[3] < 0 ? 0.f : regs[in[3]], in[4] < 0 ? 0.f : regs[in[4]]);
        }
        regs[in[1]] = v;
    }
    for (int o = 0; o < nOut; o++) {
        pararnn::st(out[(row * nOut + o) * dw + i], regs[outputs[o]]);
    }
}
