// The fused ParaGRU and ParaLSTM kernels that walk time sequentially: one thread per (batch row, feature),
// adjacent threads on adjacent features so every load and store coalesces. The honest baseline for
// Newton in time, and AUTO's choice where batch × features alone fill the device. Cell equations as in
// docs/design.md §2, in the cells' own float operation order.
//
// Layouts: u [B][T][3D] (gate rows z, r, h for the GRU; f, o, c for the LSTM), A [3][D], C [2][D],
// states [B][T][S] with S = D (GRU) or 2D (LSTM: c first, then h), init [B][S] or null (zeros).
// Backward writes ∂L/∂u, ∂L/∂h0 (when asked) and per-lane partial sums of the recurrent parameters'
// gradients [B·D][3] (GRU) or [B·D][5] (LSTM: A rows then C rows), which the host adds in a fixed order.
#include "pararnn_cuda.h"

namespace pararnn {

__device__ __forceinline__ float sigmoid(float x) {
    return 1.f / (1.f + expf(-x));
}

// A lane's recurrent weights: feature d of A [3][D] (and C [2][D]).
struct GruWeights {
    float az, ar, ah;
};

__device__ __forceinline__ GruWeights gruWeights(const float* a, int d, int dw) {
    return GruWeights{a[d], a[dw + d], a[2 * dw + d]};
}

struct LstmWeights {
    float af, ao, ac, cf, co;
};

__device__ __forceinline__ LstmWeights lstmWeights(const float* a, const float* c, int d, int dw) {
    return LstmWeights{a[d], a[dw + d], a[2 * dw + d], c[d], c[dw + d]};
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

__device__ __forceinline__ LstmGates lstmGates(float c, float h, const float* ur, int d, int dw, const LstmWeights& w) {
    LstmGates g;
    g.fg = sigmoid(w.af * h + ur[d] + w.cf * c);
    g.ct = tanhf(w.ac * h + ur[2 * dw + d]);
    g.cn = g.fg * c + (1.f - g.fg) * g.ct;
    g.o = sigmoid(w.ao * h + ur[dw + d] + w.co * g.cn);
    return g;
}

}  // namespace pararnn

extern "C" __global__ void pararnn_gru_sequential(const float* a, const float* u, const float* init, float* states,
                                                  int batch, int steps, int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const pararnn::GruWeights w = pararnn::gruWeights(a, d, dw);
    const float az = w.az, ar = w.ar, ah = w.ah;
    float h = init != nullptr ? init[(long long) b * dw + d] : 0.f;
    for (int t = 0; t < steps; t++) {
        const long long row = (long long) b * steps + t;
        const float* ur = u + row * 3 * dw;
        h = pararnn::gruNext(h, pararnn::gruGates(h, ur[d], ur[dw + d], ur[2 * dw + d], az, ar, ah));
        states[row * dw + d] = h;
    }
}

extern "C" __global__ void pararnn_gru_adjoint_sequential(const float* a, const float* u, const float* init,
                                                          const float* states, const float* gradStates, float* gradU,
                                                          float* gradParts, float* gradInit, int batch, int steps,
                                                          int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const pararnn::GruWeights w = pararnn::gruWeights(a, d, dw);
    const float az = w.az, ar = w.ar, ah = w.ah;
    float carry = 0.f;
    float gaz = 0.f;
    float gar = 0.f;
    float gah = 0.f;
    for (int t = steps - 1; t >= 0; t--) {
        const long long row = (long long) b * steps + t;
        const float h = t > 0 ? states[(row - 1) * dw + d] : (init != nullptr ? init[(long long) b * dw + d] : 0.f);
        const float* ur = u + row * 3 * dw;
        const pararnn::GruGates gt = pararnn::gruGates(h, ur[d], ur[dw + d], ur[2 * dw + d], az, ar, ah);
        const float z = gt.z;
        const float rg = gt.rg;
        const float n = gt.n;
        float l = gradStates[row * dw + d] + carry;
        float gz = l * (n - h) * z * (1.f - z);
        float gn = l * z * (1.f - n * n);
        float gr = gn * ah * h * rg * (1.f - rg);
        float* gu = gradU + row * 3 * dw;
        gu[d] = gz;
        gu[dw + d] = gr;
        gu[2 * dw + d] = gn;
        gaz += gz * h;
        gar += gr * h;
        gah += gn * h * rg;
        carry = pararnn::gruJacobian(h, az, ar, ah, gt) * l;
    }
    gradParts[lane * 3] = gaz;
    gradParts[lane * 3 + 1] = gar;
    gradParts[lane * 3 + 2] = gah;
    if (gradInit != nullptr) {
        gradInit[(long long) b * dw + d] = carry;
    }
}

extern "C" __global__ void pararnn_lstm_sequential(const float* a, const float* c, const float* u, const float* init,
                                                   float* states, int batch, int steps, int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const int s = 2 * dw;
    const pararnn::LstmWeights w = pararnn::lstmWeights(a, c, d, dw);
    float cPrev = init != nullptr ? init[(long long) b * s + d] : 0.f;
    float h = init != nullptr ? init[(long long) b * s + dw + d] : 0.f;
    for (int t = 0; t < steps; t++) {
        const long long row = (long long) b * steps + t;
        const pararnn::LstmGates g = pararnn::lstmGates(cPrev, h, u + row * 3 * dw, d, dw, w);
        float cn = g.cn;
        h = g.o * tanhf(cn);
        cPrev = cn;
        states[row * s + d] = cn;
        states[row * s + dw + d] = h;
    }
}

extern "C" __global__ void pararnn_lstm_adjoint_sequential(const float* a, const float* c, const float* u,
                                                           const float* init, const float* states,
                                                           const float* gradStates, float* gradU, float* gradParts,
                                                           float* gradInit, int batch, int steps, int dw) {
    const long long lane = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (lane >= (long long) batch * dw) {
        return;
    }
    const int b = (int) (lane / dw);
    const int d = (int) (lane % dw);
    const int s = 2 * dw;
    const pararnn::LstmWeights w = pararnn::lstmWeights(a, c, d, dw);
    float carryC = 0.f;
    float carryH = 0.f;
    float gaf = 0.f, gao = 0.f, gac = 0.f, gcf = 0.f, gco = 0.f;
    for (int t = steps - 1; t >= 0; t--) {
        const long long row = (long long) b * steps + t;
        float cPrev;
        float h;
        if (t > 0) {
            cPrev = states[(row - 1) * s + d];
            h = states[(row - 1) * s + dw + d];
        } else {
            cPrev = init != nullptr ? init[(long long) b * s + d] : 0.f;
            h = init != nullptr ? init[(long long) b * s + dw + d] : 0.f;
        }
        const pararnn::LstmGates g = pararnn::lstmGates(cPrev, h, u + row * 3 * dw, d, dw, w);
        const float fg = g.fg;
        const float ct = g.ct;
        const float cn = g.cn;
        const float o = g.o;
        float tc = tanhf(cn);
        float lc = gradStates[row * s + d] + carryC;
        float lh = gradStates[row * s + dw + d] + carryH;
        const float af = w.af, ao = w.ao, ac = w.ac, cf = w.cf, co = w.co;
        float go = lh * tc * o * (1.f - o);
        float gcn = lc + lh * o * (1.f - tc * tc) + go * co;
        float gf = gcn * (cPrev - ct) * fg * (1.f - fg);
        float gct = gcn * (1.f - fg) * (1.f - ct * ct);
        float* gu = gradU + row * 3 * dw;
        gu[d] = gf;
        gu[dw + d] = go;
        gu[2 * dw + d] = gct;
        gaf += gf * h;
        gao += go * h;
        gac += gct * h;
        gcf += gf * cPrev;
        gco += go * cn;
        // Jᵀλ with J = [[dcc, dch], [dhc, dhh]] (rows c', h'; columns c, h).
        float fp = fg * (1.f - fg);
        float op = o * (1.f - o);
        float dcc = fg + (cPrev - ct) * fp * cf;
        float dch = (cPrev - ct) * fp * af + (1.f - fg) * (1.f - ct * ct) * ac;
        float through = o * (1.f - tc * tc);
        float dhc = dcc * (op * co * tc + through);
        float dhh = op * (ao + co * dch) * tc + through * dch;
        carryC = dcc * lc + dhc * lh;
        carryH = dch * lc + dhh * lh;
    }
    float* parts = gradParts + lane * 5;
    parts[0] = gaf;
    parts[1] = gao;
    parts[2] = gac;
    parts[3] = gcf;
    parts[4] = gco;
    if (gradInit != nullptr) {
        gradInit[(long long) b * s + d] = carryC;
        gradInit[(long long) b * s + dw + d] = carryH;
    }
}

// ---------------------------------------------------------------------------------------------------------
// ParaGRU by Newton in time, fused: a block holds L lanes (adjacent features) × Y time chunks of `chunk`
// steps (at most PARARNN_MAX_CHUNK, kept in registers with their projected inputs). Window after window,
// from the window's exact incoming state and the zero guess, each iteration evaluates f and J at the
// current iterate, measures the residual max |h − f(shift h)| (block-wide, NaN kept), stops when it is
// within tol · max(1, max |f|), and otherwise solves h⁺_t = J_t h⁺_{t−1} + (f_t − J_t h_{t−1}) with the
// chunk → warp (shuffles) → block (shared memory) combine of scan.cu. A window that diverges (non-finite
// residual, `patience` increases in a row) or spends `budget` iterations is, with `fallback`, solved
// sequentially on the device from its start, and so is the rest of the sequence: the converged windows
// before it are kept. Without `fallback` its last iterate is stored and the next window starts from it.
//
// stats[block][PARARNN_NEWTON_STATS + budget + 1]: [0] most iterations in a window, [1] largest final
// residual of a window, [2] first step solved sequentially (−1: none), [3] failure code (0 none, 1
// non-finite, 2 diverging, 3 budget spent), then [4 + i] the largest residual any window had at iteration i.
#define PARARNN_MAX_CHUNK 16
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

}  // namespace pararnn

extern "C" __global__ void pararnn_gru_newton(const float* a, const float* u, const float* init, float* states,
                                              float* stats, int batch, int steps, int dw, int chunk, int budget,
                                              float tol, int patience, int fallback) {
    PARARNN_DYNAMIC_SHARED(float, smem);
    const int lanesPerBlock = blockDim.x;
    const int ys = blockDim.y;
    const int x = threadIdx.x;
    const int y = threadIdx.y;
    const int threads = lanesPerBlock * ys;
    const int warps = (threads + 31) / 32;
    const long long lanes = (long long) batch * dw;
    const long long lane = (long long) blockIdx.x * lanesPerBlock + x;
    const bool active = lane < lanes;
    const int b = active ? (int) (lane / dw) : 0;
    const int d = active ? (int) (lane % dw) : 0;
    const int perWarp = lanesPerBlock >= 32 ? 1 : 32 / lanesPerBlock;
    const int group = y / perWarp;
    const bool firstInGroup = y % perWarp == 0;
    const int groups = (ys + perWarp - 1) / perWarp;
    float* totP = smem;
    float* totV = totP + groups * lanesPerBlock;
    float* lastVal = totV + groups * lanesPerBlock;
    float* red = lastVal + ys * lanesPerBlock;
    float* carryS = red + 2 * warps;
    const float az = active ? a[d] : 0.f;
    const float ar = active ? a[dw + d] : 0.f;
    const float ah = active ? a[2 * dw + d] : 0.f;
    float* st = stats + (long long) blockIdx.x * (PARARNN_NEWTON_STATS + budget + 1);
    const bool leader = x == 0 && y == 0;
    if (leader) {
        st[0] = 0.f;
        st[1] = 0.f;
        st[2] = -1.f;
        st[3] = 0.f;
        for (int i = 0; i <= budget; i++) {
            st[PARARNN_NEWTON_STATS + i] = 0.f;
        }
    }
    float carry = (active && init != nullptr) ? init[(long long) b * dw + d] : 0.f;
    const int n = steps;
    const int span = ys * chunk;
    for (int w0 = 0; w0 < n; w0 += span) {
        const int s0 = w0 + y * chunk;
        const int cnt = active ? max(0, min(chunk, n - s0)) : 0;
        float uz[PARARNN_MAX_CHUNK], urr[PARARNN_MAX_CHUNK], uh[PARARNN_MAX_CHUNK];
        float h[PARARNN_MAX_CHUNK], ja[PARARNN_MAX_CHUNK], jb[PARARNN_MAX_CHUNK];
#pragma unroll
        for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
            h[j] = 0.f;
            if (j < cnt) {
                const float* ur = u + ((long long) b * steps + s0 + j) * 3 * dw;
                uz[j] = ur[d];
                urr[j] = ur[dw + d];
                uh[j] = ur[2 * dw + d];
            }
        }
        int it = 0;
        int growth = 0;
        int code = 0;
        float previous = 0.f;
        float residual = 0.f;
        while (true) {
            // The state before my first step: the window's exact carry, or the previous chunk's last iterate.
            float mine = 0.f;
#pragma unroll
            for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
                mine = j == cnt - 1 ? h[j] : mine;
            }
            lastVal[y * lanesPerBlock + x] = mine;
            __syncthreads();
            float hp = y == 0 ? carry : lastVal[(y - 1) * lanesPerBlock + x];
            float res = 0.f;
            float fmax = 0.f;
            // Constant indices (unrolled, guarded) keep the chunk's arrays in registers.
#pragma unroll
            for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
                if (j < cnt) {
                    const pararnn::GruGates gt = pararnn::gruGates(hp, uz[j], urr[j], uh[j], az, ar, ah);
                    float f = pararnn::gruNext(hp, gt);
                    float jac = pararnn::gruJacobian(hp, az, ar, ah, gt);
                    res = pararnn::maxNaN(res, fabsf(h[j] - f));
                    fmax = pararnn::maxNaN(fmax, fabsf(f));
                    ja[j] = jac;
                    jb[j] = f - jac * hp;
                    hp = h[j];
                }
            }
            pararnn::blockMax2(res, fmax, red);
            residual = res;
            if (leader) {
                st[PARARNN_NEWTON_STATS + it] = pararnn::maxNaN(st[PARARNN_NEWTON_STATS + it], res);
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
            float P = 1.f;
            float v = 0.f;
#pragma unroll
            for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
                if (j < cnt) {
                    v = fmaf(ja[j], v, jb[j]);
                    P = ja[j] * P;
                }
            }
            for (int dd = 1; dd < perWarp; dd <<= 1) {
                float eP = __shfl_up_sync(PARARNN_FULL_MASK, P, (unsigned) (dd * lanesPerBlock));
                float eV = __shfl_up_sync(PARARNN_FULL_MASK, v, (unsigned) (dd * lanesPerBlock));
                if (y % perWarp >= dd) {
                    v = fmaf(P, eV, v);
                    P = P * eP;
                }
            }
            float bP = __shfl_up_sync(PARARNN_FULL_MASK, P, (unsigned) (perWarp > 1 ? lanesPerBlock : 0));
            float bV = __shfl_up_sync(PARARNN_FULL_MASK, v, (unsigned) (perWarp > 1 ? lanesPerBlock : 0));
            if (y % perWarp == perWarp - 1 || y == ys - 1) {
                totP[group * lanesPerBlock + x] = P;
                totV[group * lanesPerBlock + x] = v;
            }
            __syncthreads();
            float hin = carry;
            for (int g = 0; g < group; g++) {
                hin = fmaf(totP[g * lanesPerBlock + x], hin, totV[g * lanesPerBlock + x]);
            }
            if (!firstInGroup) {
                hin = fmaf(bP, hin, bV);
            }
#pragma unroll
            for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
                if (j < cnt) {
                    hin = fmaf(ja[j], hin, jb[j]);
                    h[j] = hin;
                }
            }
            __syncthreads();
            it++;
        }
        if (leader) {
            st[0] = fmaxf(st[0], (float) it);
            st[1] = pararnn::maxNaN(st[1], residual);
        }
        if (code != 0 && leader && st[3] == 0.f) {
            st[2] = (float) w0;
            st[3] = (float) code;
        }
        if (code != 0 && fallback) {
            // Keep the windows before; solve this one and the rest sequentially from the exact carry.
            if (y == 0 && active) {
                float hs = carry;
                for (int s = w0; s < n; s++) {
                    const float* ur = u + ((long long) b * steps + s) * 3 * dw;
                    hs = pararnn::gruNext(hs, pararnn::gruGates(hs, ur[d], ur[dw + d], ur[2 * dw + d], az, ar, ah));
                    states[((long long) b * steps + s) * dw + d] = hs;
                }
            }
            break;
        }
#pragma unroll
        for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
            if (j < cnt) {
                states[((long long) b * steps + s0 + j) * dw + d] = h[j];
            }
        }
        // The carry into the next window: the state at this window's last step, from the thread holding it.
        const int last = min(w0 + span, n) - 1;
        if (y == (last - w0) / chunk) {
            float atLast = 0.f;
#pragma unroll
            for (int j = 0; j < PARARNN_MAX_CHUNK; j++) {
                atLast = j == last - s0 ? h[j] : atLast;
            }
            carryS[x] = atLast;
        }
        __syncthreads();
        carry = carryS[x];
        __syncthreads();
    }
}
