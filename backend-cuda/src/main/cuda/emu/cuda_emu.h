// The CUDA kernel language on the host, so that the very same .cu sources the GPU runs can run, slowly,
// on a CPU (docs/design.md §7). Included first (g++ -include) when a .cu file is compiled for the host.
//
// Model: a launch runs its blocks one after another on the calling OS thread; a block's threads are
// fibres (ucontext) scheduled cooperatively, switching only at __syncthreads and at warp collectives, so
// the block's threads really run "concurrently" between those points. __shared__ storage is one copy per
// OS thread, reused by each block in turn (as on the GPU, it starts undefined). Warp collectives
// (shuffles, votes) rendezvous the lanes named in the mask and are checked: a lane in the mask that has
// exited, waits at a barrier or at another collective is a divergence error, and so is a mask naming a
// lane the warp does not have. A __syncthreads that some threads of the block never reach (they exited or
// wait elsewhere) is a barrier error. Errors end the launch with a message; nothing passes silently.
#ifndef PARARNN_CUDA_EMU_H
#define PARARNN_CUDA_EMU_H

#include <cmath>
#include <cstdint>
#include <algorithm>
#include <cstddef>
#include <cstring>

#define PARARNN_CUDA_EMULATED 1

struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace emu {

// What the kernel sees of the launch and of the running thread.
struct ThreadView {
    dim3 idx;
};

extern thread_local dim3 tl_blockIdx;
extern thread_local dim3 tl_blockDim;
extern thread_local dim3 tl_gridDim;
extern thread_local ThreadView* tl_current;
extern thread_local unsigned char* tl_dynamic_shared;

void syncthreads(int site);
void dependent_step();
void note_read(const void* p, std::size_t bytes);
void note_write(const void* p, std::size_t bytes);
std::uint64_t warp_collective(int op, unsigned mask, std::uint64_t value, int arg, int width, int site);
unsigned lane_id();

enum Op { SHFL_IDX = 1, SHFL_UP, SHFL_DOWN, SHFL_XOR, BALLOT, ALL, ANY };

template <typename T>
inline std::uint64_t bits(T v) {
    static_assert(sizeof(T) <= 8, "a shuffled value must fit in 64 bits");
    std::uint64_t u = 0;
    std::memcpy(&u, &v, sizeof(T));
    return u;
}

template <typename T>
inline T unbits(std::uint64_t u) {
    T v;
    std::memcpy(&v, &u, sizeof(T));
    return v;
}

}  // namespace emu

#define threadIdx (emu::tl_current->idx)
#define blockIdx (emu::tl_blockIdx)
#define blockDim (emu::tl_blockDim)
#define gridDim (emu::tl_gridDim)
#define warpSize 32

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__ __restrict
// One copy per OS thread: the blocks of a launch run one after another on it.
#define __shared__ static thread_local
// Dynamic shared memory (sized at launch); on the GPU this is extern __shared__.
#define PARARNN_DYNAMIC_SHARED(type, name) type* name = reinterpret_cast<type*>(emu::tl_dynamic_shared)

#define __syncthreads() emu::syncthreads(__LINE__)

template <typename T>
inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
    return emu::unbits<T>(emu::warp_collective(emu::SHFL_IDX, mask, emu::bits(v), src, width, 0));
}
template <typename T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return emu::unbits<T>(emu::warp_collective(emu::SHFL_UP, mask, emu::bits(v), (int) delta, width, 0));
}
template <typename T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return emu::unbits<T>(emu::warp_collective(emu::SHFL_DOWN, mask, emu::bits(v), (int) delta, width, 0));
}
template <typename T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    return emu::unbits<T>(emu::warp_collective(emu::SHFL_XOR, mask, emu::bits(v), laneMask, width, 0));
}
inline unsigned __ballot_sync(unsigned mask, int pred) {
    return (unsigned) emu::warp_collective(emu::BALLOT, mask, pred != 0, 0, 32, 0);
}
inline int __all_sync(unsigned mask, int pred) {
    return (int) emu::warp_collective(emu::ALL, mask, pred != 0, 0, 32, 0);
}
inline int __any_sync(unsigned mask, int pred) {
    return (int) emu::warp_collective(emu::ANY, mask, pred != 0, 0, 32, 0);
}

// Global memory through pararnn_cuda.h's ld/st: counted per launch (32-byte sectors read and written).
namespace pararnn {
template <class T>
inline T ld(const T& r) {
    emu::note_read(&r, sizeof(T));
    return r;
}
template <class T>
inline void st(T& r, T v) {
    emu::note_write(&r, sizeof(T));
    r = v;
}
}  // namespace pararnn
#define PARARNN_DEPENDENT_STEP() emu::dependent_step()

inline float __fmaf_rn(float a, float b, float c) { return std::fma(a, b, c); }
inline int __float_as_int(float v) {
    int bits;
    std::memcpy(&bits, &v, sizeof bits);
    return bits;
}
inline float __int_as_float(int bits) {
    float v;
    std::memcpy(&v, &bits, sizeof v);
    return v;
}
using std::fmaf;
using std::isfinite;
using std::isinf;
using std::isnan;
using std::max;
using std::min;

#endif
