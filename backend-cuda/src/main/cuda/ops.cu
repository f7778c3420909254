// The ops of a training step besides the recurrence (org.pararnn.api.ops.Ops; docs/design.md §4, §7), as
// kernels on device arrays. Matrices are row-major views: element (i, j) of a view at `off` with leading
// dimension `ld` is p[off + i·ld + j]. Every output element is computed by one thread in a fixed order and
// every reduction runs in a fixed tree, so a call gives the same bits every time. Reductions that the
// contract puts in double (the loss, the sum of squares) are in double here too.
//
// Layouts of the launches (CudaOps sets them): element-wise kernels take one thread per element over a 1-D
// grid of 256-thread blocks; row kernels (RMSNorm, cross-entropy) take one warp per row, blockDim (32, 8);
// column kernels (parameter gradients summed over rows) take one thread per column; the product is tiled.
#include "pararnn_ops.h"

// Helpers live in a named namespace: nvcc names internal-linkage symbols (an anonymous namespace's shared
// arrays) with a hash of the source's path, which would make the packaged PTX depend on where it was built.
namespace pararnn_ops {

// The product's tiling (pararnn_ops_matmul; CudaOps launches 16 × 16 threads per 64 × 64 tile of c).
constexpr int MM_BM = 64;
constexpr int MM_BN = 64;
constexpr int MM_BK = 16;

__device__ __forceinline__ float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

__device__ __forceinline__ long long element() { return (long long) blockIdx.x * blockDim.x + threadIdx.x; }

// The warp's sum of v, by a butterfly of xor-shuffles: the same tree, so the same bits, on every call.
template <typename T>
__device__ __forceinline__ T warpSum(T v) {
    for (int s = 16; s > 0; s >>= 1) {
        v += __shfl_xor_sync(PARARNN_FULL_MASK, v, s);
    }
    return v;
}

// One block's sum of v (blockDim.x a power of two ≤ 256), in a fixed tree; every thread gets it.
__device__ double blockSum(double v) {
    __shared__ double part[256];
    part[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if ((int) threadIdx.x < s) {
            part[threadIdx.x] += part[threadIdx.x + s];
        }
        __syncthreads();
    }
    double total = part[0];
    __syncthreads();
    return total;
}

// The least of every thread's `mine` over one block (blockDim.x a power of two ≤ 256); every thread gets it.
__device__ int blockMin(int mine) {
    __shared__ int least[256];
    least[threadIdx.x] = mine;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if ((int) threadIdx.x < s) {
            least[threadIdx.x] = min(least[threadIdx.x], least[threadIdx.x + s]);
        }
        __syncthreads();
    }
    int result = least[0];
    __syncthreads();
    return result;
}

}  // namespace pararnn_ops

using namespace pararnn_ops;

extern "C" {

// c = α·op(a)·op(b) + β·c over an (m × n) output, op(a) m × k; β = 0 ignores c. A block of 16 × 16 threads
// computes a 64 × 64 tile of c, each thread the 4 × 4 elements (ty + 16·i, tx + 16·j), with the operands
// staged through shared memory 16 values of k at a time (loads coalesced along whichever dimension is
// contiguous in memory). Each element sums its k products in order, so the result does not depend on the
// tiling. Split along k (gridDim.z > 1, when c has too few tiles to fill the device and k is long): block z
// sums k in [z·kChunk, (z+1)·kChunk) in order and writes its raw sums to part[z][m][n], which
// pararnn_ops_matmul_splits adds up in z order (a fixed split for a shape: the same bits every call).
__global__ void pararnn_ops_matmul(const float* a, int aOff, int lda, int transA, const float* b, int bOff, int ldb,
                                   int transB, float* c, int cOff, int ldc, int m, int n, int k, float alpha,
                                   float beta, int kChunk, float* part) {
    __shared__ float as[MM_BK][MM_BM + 4];  // as[q][i] = op(a)[row0 + i][k0 + q]
    __shared__ float bs[MM_BK][MM_BN + 4];  // bs[q][j] = op(b)[k0 + q][col0 + j]
    int tx = threadIdx.x;
    int ty = threadIdx.y;
    int tid = ty * 16 + tx;
    int row0 = blockIdx.y * MM_BM;
    int col0 = blockIdx.x * MM_BN;
    float acc[4][4];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) {
            acc[i][j] = 0.0f;
        }
    }
    // How many of this thread's 4 rows (ty + 16·i) and 4 columns (tx + 16·j) lie inside c.
    int rowsHere = m - row0 - ty <= 0 ? 0 : min(4, (m - row0 - ty + 15) / 16);
    int colsHere = n - col0 - tx <= 0 ? 0 : min(4, (n - col0 - tx + 15) / 16);
    int kBegin = blockIdx.z * kChunk;
    int kEnd = min(k, kBegin + kChunk);
    for (int k0 = kBegin; k0 < kEnd; k0 += MM_BK) {
        for (int e = tid; e < MM_BK * MM_BM; e += 256) {
            int q = transA ? e / MM_BM : e % MM_BK;
            int i = transA ? e % MM_BM : e / MM_BK;
            int row = row0 + i;
            int kk = k0 + q;
            as[q][i] = row < m && kk < kEnd ? (transA ? a[aOff + (long long) kk * lda + row] : a[aOff + (long long) row * lda + kk])
                                         : 0.0f;
        }
        for (int e = tid; e < MM_BK * MM_BN; e += 256) {
            int q = transB ? e % MM_BK : e / MM_BN;
            int j = transB ? e / MM_BK : e % MM_BN;
            int col = col0 + j;
            int kk = k0 + q;
            bs[q][j] = kk < kEnd && col < n ? (transB ? b[bOff + (long long) col * ldb + kk] : b[bOff + (long long) kk * ldb + col])
                                         : 0.0f;
        }
        __syncthreads();
        int kt = min(MM_BK, kEnd - k0);
        for (int q = 0; q < kt; q++) {
            float av[4];
            float bv[4];
#pragma unroll
            for (int i = 0; i < 4; i++) {
                av[i] = as[q][ty + 16 * i];
                bv[i] = bs[q][tx + 16 * i];
            }
            // Only elements inside c: a product narrower or shorter than the tile (one head's columns, a
            // gradient of a small matrix) then costs what it holds; the guards are uniform over q, and the
            // constant indices keep acc in registers.
#pragma unroll
            for (int i = 0; i < 4; i++) {
#pragma unroll
                for (int j = 0; j < 4; j++) {
                    if (i < rowsHere && j < colsHere) {
                        acc[i][j] = fmaf(av[i], bv[j], acc[i][j]);
                    }
                }
            }
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; i++) {
        int row = row0 + ty + 16 * i;
        if (row >= m) {
            continue;
        }
        for (int j = 0; j < 4; j++) {
            int col = col0 + tx + 16 * j;
            if (col >= n) {
                continue;
            }
            if (gridDim.z > 1) {
                part[((long long) blockIdx.z * m + row) * n + col] = acc[i][j];
            } else {
                float* out = c + cOff + (long long) row * ldc + col;
                *out = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *out;
            }
        }
    }
}

// c = α·Σ_z part[z] + β·c over m × n, the splits added in z order; one thread per element.
__global__ void pararnn_ops_matmul_splits(const float* part, int splits, float* c, int cOff, int ldc, int m, int n,
                                          float alpha, float beta) {
    long long e = element();
    if (e >= (long long) m * n) {
        return;
    }
    float sum = 0.0f;
    for (int z = 0; z < splits; z++) {
        sum += part[(long long) z * m * n + e];
    }
    float* out = c + cOff + (e / n) * ldc + e % n;
    *out = beta == 0.0f ? alpha * sum : alpha * sum + beta * *out;
}

// y = x / rms(x) ⊙ gain per row, invRms[r] = 1 / rms(x_r); one warp per row.
__global__ void pararnn_ops_rmsnorm(const float* x, int xOff, int ldx, const float* gain, float* y, int yOff, int ldy,
                                    float* invRms, int rows, int width, float eps) {
    int r = blockIdx.x * blockDim.y + threadIdx.y;
    if (r >= rows) {
        return;
    }
    const float* xr = x + xOff + (long long) r * ldx;
    float ss = 0.0f;
    for (int j = threadIdx.x; j < width; j += 32) {
        ss = fmaf(xr[j], xr[j], ss);
    }
    ss = warpSum(ss);
    float inv = 1.0f / sqrtf(ss / width + eps);
    float* yr = y + yOff + (long long) r * ldy;
    for (int j = threadIdx.x; j < width; j += 32) {
        yr[j] = xr[j] * inv * gain[j];
    }
    if (threadIdx.x == 0) {
        invRms[r] = inv;
    }
}

// dx = inv·(g⊙dy) − inv³·x·mean(x⊙g⊙dy) per row (written, or added when accumulate); one warp per row.
__global__ void pararnn_ops_rmsnorm_backward(const float* x, int xOff, int ldx, const float* gain, const float* invRms,
                                             const float* dy, int dyOff, int ldy, float* dx, int dxOff, int lddx,
                                             int accumulate, int rows, int width) {
    int r = blockIdx.x * blockDim.y + threadIdx.y;
    if (r >= rows) {
        return;
    }
    const float* xr = x + xOff + (long long) r * ldx;
    const float* dyr = dy + dyOff + (long long) r * ldy;
    float dot = 0.0f;
    for (int j = threadIdx.x; j < width; j += 32) {
        dot = fmaf(xr[j], gain[j] * dyr[j], dot);
    }
    dot = warpSum(dot);
    float inv = invRms[r];
    float coef = inv * inv * inv * dot / width;
    float* dxr = dx + dxOff + (long long) r * lddx;
    for (int j = threadIdx.x; j < width; j += 32) {
        float v = inv * gain[j] * dyr[j] - coef * xr[j];
        dxr[j] = accumulate ? dxr[j] + v : v;
    }
}

// gradGain[j] += Σ_r dy[r][j]·x[r][j]·invRms[r], each column's rows in order; one thread per column.
// The rows of a per-column sum that block row blockIdx.y of gridDim.y adds: contiguous, by rows and the grid alone.
__device__ __forceinline__ void rowChunk(int rows, int& r0, int& r1) {
    const int per = (rows + gridDim.y - 1) / gridDim.y;
    r0 = min((int) blockIdx.y * per, rows);
    r1 = min(r0 + per, rows);
}

// gradGain[j] += Σ_r dy[r][j]·x[r][j]·invRms[r], rows in order. With gridDim.y > 1 the rows are cut into
// contiguous chunks, chunk c's sum goes to partial[c][j], and pararnn_ops_add_partials adds the chunks in order.
__global__ void pararnn_ops_rmsnorm_gain_grad(const float* x, int xOff, int ldx, const float* invRms, const float* dy,
                                              int dyOff, int ldy, float* gradGain, int rows, int width, float* partial) {
    long long j = element();
    if (j >= width) {
        return;
    }
    int r0, r1;
    rowChunk(rows, r0, r1);
    float acc = 0.0f;
    for (int r = r0; r < r1; r++) {
        acc = fmaf(dy[dyOff + (long long) r * ldy + j], x[xOff + (long long) r * ldx + j] * invRms[r], acc);
    }
    if (gridDim.y == 1) {
        gradGain[j] += acc;
    } else {
        partial[(long long) blockIdx.y * width + j] = acc;
    }
}

// dst[j] += Σ_c partial[c][j], chunks in order; one thread per column.
__global__ void pararnn_ops_add_partials(const float* partial, int chunks, float* dst, int width) {
    long long j = element();
    if (j >= width) {
        return;
    }
    float acc = 0.0f;
    for (int c = 0; c < chunks; c++) {
        acc += partial[(long long) c * width + j];
    }
    dst[j] += acc;
}

// The contiguous range of v[0, n) that block blockIdx.x of gridDim.x looks at (a function of n and the grid).
__device__ __forceinline__ void blockRange(long long n, long long& from, long long& to) {
    const long long per = (n + gridDim.x - 1) / gridDim.x;
    from = min((long long) blockIdx.x * per, n);
    to = min(from + per, n);
}

// partial[block] = the first index of the block's range whose value lies outside [lo, hi), or n if none;
// pararnn_ops_first_index then takes the least over the blocks.
__global__ void pararnn_ops_check_ints(const int* v, int n, int lo, int hi, int* partial) {
    long long from, to;
    blockRange(n, from, to);
    int mine = n;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
        if (v[i] < lo || v[i] >= hi) {
            mine = (int) i;
            break;
        }
    }
    int first = blockMin(mine);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = first;
    }
}

// result[0] = the least of partial[0, count) if below n, else −1; result[1] = values[result[0]] (an int, or a
// float's bits), 0 if none; one block.
__global__ void pararnn_ops_first_index(const int* partial, int count, const int* values, int n, int* result) {
    int mine = n;
    for (int b = threadIdx.x; b < count; b += blockDim.x) {
        mine = min(mine, partial[b]);
    }
    int first = blockMin(mine);
    if (threadIdx.x == 0) {
        result[0] = first < n ? first : -1;
        result[1] = first < n ? values[first] : 0;
    }
}

// out[r][j] = table[tok[r]][j] (+ positions[r mod steps][j]); one thread per element.
__global__ void pararnn_ops_embedding(const int* tokens, int steps, const float* table, const float* positions,
                                      float* out, int rows, int width) {
    long long e = element();
    if (e >= (long long) rows * width) {
        return;
    }
    int r = (int) (e / width);
    int j = (int) (e % width);
    float v = table[(long long) tokens[r] * width + j];
    if (positions != nullptr) {
        v += positions[(long long) (r % steps) * width + j];
    }
    out[e] = v;
}

// gradTable[tok[r]][j] += dOut[r][j] (and gradPositions[r mod steps][j]), rows in order; one thread per column.
__global__ void pararnn_ops_embedding_backward(const int* tokens, int steps, const float* dOut, float* gradTable,
                                               float* gradPositions, int rows, int width) {
    long long j = element();
    if (j >= width) {
        return;
    }
    for (int r = 0; r < rows; r++) {
        float g = dOut[(long long) r * width + j];
        gradTable[(long long) tokens[r] * width + j] += g;
        if (gradPositions != nullptr) {
            gradPositions[(long long) (r % steps) * width + j] += g;
        }
    }
}

// a[0, n) = value
__global__ void pararnn_ops_fill(float* a, int n, float value) {
    long long e = element();
    if (e < n) {
        a[e] = value;
    }
}

// dst[r][j] = src[r][j]
__global__ void pararnn_ops_copy(const float* src, int srcOff, int lds, float* dst, int dstOff, int ldd, int rows, int width) {
    long long e = element();
    if (e < (long long) rows * width) {
        long long r = e / width;
        int j = (int) (e % width);
        dst[dstOff + r * ldd + j] = src[srcOff + r * lds + j];
    }
}

// y = x·σ(x), sig = σ(x), contiguous.
__global__ void pararnn_ops_silu(const float* x, float* sig, float* y, int n) {
    long long e = element();
    if (e < n) {
        float s = sigmoidf(x[e]);
        sig[e] = s;
        y[e] = x[e] * s;
    }
}

__global__ void pararnn_ops_silu_backward(const float* x, const float* sig, const float* dy, float* dx, int n) {
    long long e = element();
    if (e < n) {
        float s = sig[e];
        dx[e] = dy[e] * s * (1.0f + x[e] * (1.0f - s));
    }
}

// out = SiLU(g) ⊙ u, sig = σ(g); g and u strided views, sig and out contiguous.
__global__ void pararnn_ops_silu_gate(const float* g, int gOff, int gLd, const float* u, int uOff, int uLd, float* sig,
                                     float* out, int rows, int width) {
    long long e = element();
    if (e >= (long long) rows * width) {
        return;
    }
    long long r = e / width;
    int j = (int) (e % width);
    float gv = g[gOff + r * gLd + j];
    float s = sigmoidf(gv);
    sig[e] = s;
    out[e] = gv * s * u[uOff + r * uLd + j];
}

__global__ void pararnn_ops_silu_gate_backward(const float* g, int gOff, int gLd, const float* u, int uOff, int uLd,
                                              const float* sig, const float* dOut, float* dg, int dgOff, int dgLd, float* du,
                                              int duOff, int duLd, int rows, int width) {
    long long e = element();
    if (e >= (long long) rows * width) {
        return;
    }
    long long r = e / width;
    int j = (int) (e % width);
    float gv = g[gOff + r * gLd + j];
    float uv = u[uOff + r * uLd + j];
    float s = sig[e];
    float d = dOut[e];
    dg[dgOff + r * dgLd + j] = d * uv * s * (1.0f + gv * (1.0f - s));
    du[duOff + r * duLd + j] = d * gv * s;
}

// y[b,t,d] = bias[d] + Σ_q weight[d][q]·x[b, t−(k−1)+q, d], inputs before step 0 from history [b][k−1][d]
// (zeros when null); y contiguous; one thread per element.
__global__ void pararnn_ops_causal_conv(const float* x, int xOff, int ldx, const float* weight, const float* bias,
                                        const float* history, float* y, int batch, int steps, int width, int k) {
    long long e = element();
    if (e >= (long long) batch * steps * width) {
        return;
    }
    int d = (int) (e % width);
    long long row = e / width;
    int t = (int) (row % steps);
    int b = (int) (row / steps);
    float acc = bias[d];
    for (int q = 0; q < k; q++) {
        int ts = t - (k - 1) + q;
        float v;
        if (ts >= 0) {
            v = x[xOff + ((long long) b * steps + ts) * ldx + d];
        } else {
            v = history == nullptr ? 0.0f : history[((long long) b * (k - 1) + (k - 1 + ts)) * width + d];
        }
        acc = fmaf(weight[d * k + q], v, acc);
    }
    y[e] = acc;
}

// dx[b,t,d] = Σ_q weight[d][q]·dy[b, t+(k−1)−q, d] (steps past the end contribute nothing); dy contiguous.
__global__ void pararnn_ops_causal_conv_backward_input(const float* weight, const float* dy, float* dx, int dxOff,
                                                       int lddx, int batch, int steps, int width, int k) {
    long long e = element();
    if (e >= (long long) batch * steps * width) {
        return;
    }
    int d = (int) (e % width);
    long long row = e / width;
    int t = (int) (row % steps);
    int b = (int) (row / steps);
    float acc = 0.0f;
    for (int q = 0; q < k; q++) {
        int to = t + (k - 1) - q;
        if (to < steps) {
            acc = fmaf(weight[d * k + q], dy[((long long) b * steps + to) * width + d], acc);
        }
    }
    dx[dxOff + row * lddx + d] = acc;
}

// gradWeight[d][q] += Σ_{b,t} dy[b,t,d]·x[b, t−(k−1)+q, d] (zero history), gradBias[d] += Σ dy[b,t,d]; one
// thread per (d, q), q = k being the bias; rows in order.
// (gridDim.y > 1: the rows (b, t) in order cut into chunks, chunk c's sums into partial[c][e] for e = d·(k + 1) + q,
// added in order into gradWeight / gradBias by pararnn_ops_conv_params_add.)
__global__ void pararnn_ops_causal_conv_backward_params(const float* x, int xOff, int ldx, const float* dy,
                                                        float* gradWeight, float* gradBias, int batch, int steps,
                                                        int width, int k, float* partial) {
    long long e = element();
    if (e >= (long long) width * (k + 1)) {
        return;
    }
    int d = (int) (e / (k + 1));
    int q = (int) (e % (k + 1));
    int r0, r1;
    rowChunk(batch * steps, r0, r1);
    float acc = 0.0f;
    for (int r = r0; r < r1; r++) {
        const int b = r / steps;
        const int t = r % steps;
        float g = dy[((long long) b * steps + t) * width + d];
        if (q == k) {
            acc += g;
        } else {
            int ts = t - (k - 1) + q;
            if (ts >= 0) {
                acc = fmaf(g, x[xOff + ((long long) b * steps + ts) * ldx + d], acc);
            }
        }
    }
    if (gridDim.y > 1) {
        partial[(long long) blockIdx.y * width * (k + 1) + e] = acc;
    } else if (q == k) {
        gradBias[d] += acc;
    } else {
        gradWeight[d * k + q] += acc;
    }
}

// The chunks' sums of pararnn_ops_causal_conv_backward_params added in order into gradWeight [d][k] and gradBias [d].
__global__ void pararnn_ops_conv_params_add(const float* partial, int chunks, float* gradWeight, float* gradBias, int width,
                                            int k) {
    long long e = element();
    const long long n = (long long) width * (k + 1);
    if (e >= n) {
        return;
    }
    float acc = 0.0f;
    for (int c = 0; c < chunks; c++) {
        acc += partial[(long long) c * n + e];
    }
    const int d = (int) (e / (k + 1));
    const int q = (int) (e % (k + 1));
    if (q == k) {
        gradBias[d] += acc;
    } else {
        gradWeight[d * k + q] += acc;
    }
}

// x[r][j] += scale[j]·y[r][j]
__global__ void pararnn_ops_scaled_residual(const float* y, int yOff, int ldy, const float* scale, float* x, int xOff,
                                            int ldx, int rows, int width) {
    long long e = element();
    if (e >= (long long) rows * width) {
        return;
    }
    long long r = e / width;
    int j = (int) (e % width);
    x[xOff + r * ldx + j] += scale[j] * y[yOff + r * ldy + j];
}

// dy[r][j] = dx[r][j]·scale[j]
__global__ void pararnn_ops_scaled_residual_input_grad(const float* dx, int dxOff, int lddx, const float* scale,
                                                       float* dy, int dyOff, int lddy, int rows, int width) {
    long long e = element();
    if (e >= (long long) rows * width) {
        return;
    }
    long long r = e / width;
    int j = (int) (e % width);
    dy[dyOff + r * lddy + j] = dx[dxOff + r * lddx + j] * scale[j];
}

// gradScale[j] += Σ_r dx[r][j]·y[r][j], rows in order; one thread per column.
// (gridDim.y > 1: chunks of rows into partial[c][j], added in order by pararnn_ops_add_partials.)
__global__ void pararnn_ops_scaled_residual_scale_grad(const float* dx, int dxOff, int lddx, const float* y, int yOff,
                                                       int ldy, float* gradScale, int rows, int width, float* partial) {
    long long j = element();
    if (j >= width) {
        return;
    }
    int r0, r1;
    rowChunk(rows, r0, r1);
    float acc = 0.0f;
    for (int r = r0; r < r1; r++) {
        acc = fmaf(dx[dxOff + (long long) r * lddx + j], y[yOff + (long long) r * ldy + j], acc);
    }
    if (gridDim.y == 1) {
        gradScale[j] += acc;
    } else {
        partial[(long long) blockIdx.y * width + j] = acc;
    }
}

}  // extern "C"

namespace pararnn_ops {

// Row r's arg-max (the first on ties) and log Σ exp in double, by one warp; every lane gets both.
__device__ void rowSoftmaxStats(const float* xr, int v, int& arg, double& lse) {
    float best = -INFINITY;
    int bestAt = v;
    for (int j = threadIdx.x; j < v; j += 32) {
        if (xr[j] > best) {
            best = xr[j];
            bestAt = j;
        }
    }
    for (int s = 16; s > 0; s >>= 1) {
        float ob = __shfl_xor_sync(PARARNN_FULL_MASK, best, s);
        int oa = __shfl_xor_sync(PARARNN_FULL_MASK, bestAt, s);
        if (ob > best || (ob == best && oa < bestAt)) {
            best = ob;
            bestAt = oa;
        }
    }
    double sum = 0.0;
    for (int j = threadIdx.x; j < v; j += 32) {
        sum += exp((double) xr[j] - (double) best);
    }
    sum = warpSum(sum);
    arg = bestAt < v ? bestAt : 0;
    lse = (double) best + log(sum);
}

}  // namespace pararnn_ops

extern "C" {

// Per row: predictions[r] = arg-max; parts[3r..3r+2] = (lse − x[t], lse², 1) for a row with a target, zeros
// without; one warp per row.
__global__ void pararnn_ops_cross_entropy(const float* x, int xOff, int ldx, const int* targets, int* predictions,
                                          double* parts, int rows, int v) {
    int r = blockIdx.x * blockDim.y + threadIdx.y;
    if (r >= rows) {
        return;
    }
    const float* xr = x + xOff + (long long) r * ldx;
    int arg;
    double lse;
    rowSoftmaxStats(xr, v, arg, lse);
    if (threadIdx.x == 0) {
        int t = targets[r];
        predictions[r] = arg;
        parts[3LL * r] = t >= 0 ? lse - (double) xr[t] : 0.0;
        parts[3LL * r + 1] = t >= 0 ? lse * lse : 0.0;
        parts[3LL * r + 2] = t >= 0 ? 1.0 : 0.0;
    }
}

// out[c] = Σ_r parts[r·stride + c] for c < stride, in one block's fixed tree.
__global__ void pararnn_ops_sum_columns_double(const double* parts, int rows, int stride, double* out) {
    for (int c = 0; c < stride; c++) {
        double mine = 0.0;
        for (int r = threadIdx.x; r < rows; r += blockDim.x) {
            mine += parts[(long long) r * stride + c];
        }
        double total = blockSum(mine);
        if (threadIdx.x == 0) {
            out[c] = total;
        }
    }
}

// dx[r][j] = (softmax_j·(1 + 2·zLoss·lse) − [j = t]) / counted, zero for a row without a target; dx may be x.
__global__ void pararnn_ops_cross_entropy_backward(const float* x, int xOff, int ldx, const int* targets, float zLoss,
                                                   int counted, float* dx, int dxOff, int lddx, int rows, int v) {
    int r = blockIdx.x * blockDim.y + threadIdx.y;
    if (r >= rows) {
        return;
    }
    const float* xr = x + xOff + (long long) r * ldx;
    float* dr = dx + dxOff + (long long) r * lddx;
    int t = targets[r];
    if (t < 0 || counted == 0) {
        for (int j = threadIdx.x; j < v; j += 32) {
            dr[j] = 0.0f;
        }
        return;
    }
    int arg;
    double lse;
    rowSoftmaxStats(xr, v, arg, lse);
    double factor = (1.0 + 2.0 * (double) zLoss * lse) / counted;
    double hit = 1.0 / counted;
    for (int j = threadIdx.x; j < v; j += 32) {
        double p = exp((double) xr[j] - lse);
        dr[j] = (float) (p * factor - (j == t ? hit : 0.0));
    }
}

// AdamW with decoupled decay, element-wise (Ops.AdamWStep's constants).
__global__ void pararnn_ops_adamw(float* w, const float* g, float* m, float* vv, int n, float beta1, float beta2,
                                  float stepSize, float invBiasCorrection2, float eps, float gradScale, float decay) {
    long long e = element();
    if (e >= n) {
        return;
    }
    float gj = g[e] * gradScale;
    float mj = beta1 * m[e] + (1.0f - beta1) * gj;
    float vj = beta2 * vv[e] + (1.0f - beta2) * gj * gj;
    m[e] = mj;
    vv[e] = vj;
    w[e] = w[e] * decay - stepSize * mj / (sqrtf(vj * invBiasCorrection2) + eps);
}

// partial[block] = Σ a² over the block's range, in double, in the block's fixed tree; pararnn_ops_sum_doubles adds
// the blocks' sums in its own fixed tree (the partition depends on n and the grid alone: the same bits every call).
__global__ void pararnn_ops_sum_squares(const float* a, int n, double* partial) {
    long long from, to;
    blockRange(n, from, to);
    double mine = 0.0;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
        mine += (double) a[i] * (double) a[i];
    }
    double total = blockSum(mine);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = total;
    }
}

// out[0] = Σ partial[0, count), in one block's fixed tree.
__global__ void pararnn_ops_sum_doubles(const double* partial, int count, double* out) {
    double mine = 0.0;
    for (int b = threadIdx.x; b < count; b += blockDim.x) {
        mine += partial[b];
    }
    double total = blockSum(mine);
    if (threadIdx.x == 0) {
        out[0] = total;
    }
}

// dst[r][j] = row[j]; one thread per element.
__global__ void pararnn_ops_broadcast_rows(const float* row, float* dst, int dstOff, int ldd, int rows, int width) {
    long long e = element();
    if (e < (long long) rows * width) {
        long long r = e / width;
        int j = (int) (e % width);
        dst[dstOff + r * ldd + j] = row[j];
    }
}

// dst[j] += src[r][j] for r in order; one thread per column (HostOps adds in the same order: the same bits).
// With gridDim.y > 1 (many rows) the rows are cut into contiguous chunks, chunk c's sum goes to partial[c][j]
// and pararnn_ops_add_partials adds the chunks in order: the same bits on every call, not HostOps'.
__global__ void pararnn_ops_add_column_sums(const float* src, int srcOff, int lds, float* dst, int rows, int width,
                                            float* partial) {
    long long j = element();
    if (j >= width) {
        return;
    }
    int r0, r1;
    rowChunk(rows, r0, r1);
    if (gridDim.y == 1) {
        float acc = dst[j];
        for (int r = 0; r < rows; r++) {
            acc += src[srcOff + (long long) r * lds + j];
        }
        dst[j] = acc;
        return;
    }
    float acc = 0.0f;
    for (int r = r0; r < r1; r++) {
        acc += src[srcOff + (long long) r * lds + j];
    }
    partial[(long long) blockIdx.y * width + j] = acc;
}

// a = clamp(a, −limit, limit), NaN kept (as Java's Math.max(−l, Math.min(l, NaN)) keeps it).
__global__ void pararnn_ops_clamp(float* a, int n, float limit) {
    long long e = element();
    if (e < n) {
        float v = a[e];
        a[e] = v > limit ? limit : (v < -limit ? -limit : v);
    }
}

// partial[block] = the first index of a NaN or infinity in the block's range, or n if none.
__global__ void pararnn_ops_first_nonfinite(const float* v, int n, int* partial) {
    long long from, to;
    blockRange(n, from, to);
    int mine = n;
    for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
        if (!isfinite(v[i])) {
            mine = (int) i;
            break;
        }
    }
    int first = blockMin(mine);
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = first;
    }
}

// The fused adjoints' per-lane partials [batch][d][parts] summed over the batch in order, in double, and added
// into A's gradient [3][d] (parts 0–2) and C's [2][d] (parts 3–4); one thread per (part, feature).
__global__ void pararnn_ops_fused_weight_grads(const float* partials, int batch, int d, int parts, float* gradA,
                                               float* gradC) {
    long long e = element();
    if (e >= (long long) parts * d) {
        return;
    }
    int g = (int) (e / d);
    int f = (int) (e % d);
    double sum = 0.0;
    for (int b = 0; b < batch; b++) {
        sum += (double) partials[((long long) b * d + f) * parts + g];
    }
    if (g < 3) {
        gradA[g * d + f] += (float) sum;
    } else {
        gradC[(g - 3) * d + f] += (float) sum;
    }
}

}  // extern "C"
