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

#endif
