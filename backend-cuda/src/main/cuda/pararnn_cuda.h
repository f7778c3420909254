// What the kernels need from the platform, on the GPU and (with cuda_emu.h) on the host alike.
#ifndef PARARNN_CUDA_H
#define PARARNN_CUDA_H

#ifndef PARARNN_CUDA_EMULATED
// Dynamic shared memory, sized by the launch.
#define PARARNN_DYNAMIC_SHARED(type, name)                  \
    extern __shared__ __align__(16) unsigned char pararnn_smem_[]; \
    type* name = reinterpret_cast<type*>(pararnn_smem_)
#endif

#define PARARNN_FULL_MASK 0xffffffffu

// A kernel that plans may launch with up to 1024 threads a block (time spread over blocks): the compiler must
// then keep it within 64 registers a thread, or the launch is refused for want of registers.
// A windowed kernel launched with 256 threads a block that should fit four blocks on an SM (64 registers a thread).
#ifndef PARARNN_CUDA_EMULATED
#define PARARNN_WIDE_BLOCK __launch_bounds__(1024)
#define PARARNN_WINDOWED_BLOCK_X4 __launch_bounds__(256, 4)
#else
#define PARARNN_WIDE_BLOCK
#define PARARNN_WINDOWED_BLOCK_X4
#endif

#ifndef PARARNN_CUDA_EMULATED
// A global-memory read and write. On the GPU a plain access; the emulator (cuda_emu.h) also counts the
// 32-byte sectors a launch touches, which is how the bytes a kernel moves are measured without a GPU
// (docs/design.md §7). Shared memory and registers are accessed directly, never through these.
namespace pararnn {
template <class T>
__device__ __forceinline__ T ld(const T& r) {
    return r;
}
template <class T>
__device__ __forceinline__ void st(T& r, T v) {
    r = v;
}
}  // namespace pararnn
// One step of a loop whose iterations depend on each other (a window after a window, a step of a walk):
// nothing on the GPU; the emulator counts it among a launch's dependent phases.
#define PARARNN_DEPENDENT_STEP()
#endif

#endif
