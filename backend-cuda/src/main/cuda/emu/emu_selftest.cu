// Kernels that check the emulator itself (compiled into the emulated library only, never into the PTX):
// collectives that must give the GPU's answers, and misuses it must refuse.

// Each thread writes 8 results for its lane: shfl_up 1, shfl_down 1, shfl_xor 1, shfl_idx 0, ballot of odd
// lanes, all(lane < 64), any(lane == 3), and a neighbour's shared-memory value after a barrier. The mask is
// the threads the warp really has (a partial last warp of 8 included).
extern "C" __global__ void pararnn_test_collectives(float* out) {
    __shared__ int seen[1024];
    int t = threadIdx.x;
    int lane = t % 32;
    int warpBase = t - lane;
    int inWarp = min(32, (int) blockDim.x - warpBase);
    unsigned mask = inWarp == 32 ? 0xffffffffu : ((1u << inWarp) - 1u);
    // Shuffles over the lanes that exist: width 8 for the partial warp of 8 (lane 7 reading lane 8 would be
    // undefined, and the emulator refuses it).
    int width = inWarp;
    float v = (float) t;
    float r[8];
    r[0] = __shfl_up_sync(mask, v, 1, width);
    r[1] = __shfl_down_sync(mask, v, 1, width);
    r[2] = __shfl_xor_sync(mask, v, 1, width);
    r[3] = __shfl_sync(mask, v, 0, width);
    r[4] = (float) __ballot_sync(mask, lane & 1);
    r[5] = (float) __all_sync(mask, t < 64);
    r[6] = (float) __any_sync(mask, lane == 3);
    seen[t] = t * 10;
    __syncthreads();
    r[7] = (float) seen[(t + 1) % blockDim.x];
    for (int i = 0; i < 8; i++) {
        out[t * 8 + i] = r[i];
    }
}

// A __syncthreads that the first five threads never reach.
extern "C" __global__ void pararnn_test_barrier_misuse(float* out) {
    if (threadIdx.x < 5) {
        return;
    }
    __syncthreads();
    out[threadIdx.x] = 1.f;
}

// A full-mask shuffle that only the lower half of the warp calls.
extern "C" __global__ void pararnn_test_divergent_shuffle(float* out) {
    float v = (float) threadIdx.x;
    if (threadIdx.x % 32 < 16) {
        v = __shfl_down_sync(0xffffffffu, v, 1);
    }
    out[threadIdx.x] = v;
}

// What the emulator counts (cuda_emu_launch.h's Counts): each thread of each block reads in[i] and writes
// out[i] for its own i (through ld/st, as kernels access global memory), passes 3 barriers; warp 0 makes 2
// shuffles; thread 5 of each block marks 7 dependent steps. A block's depth is thus 3 + 2 + 7 = 12.
extern "C" __global__ void pararnn_test_counts(const float* in, float* out) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = pararnn::ld(in[i]);
    __syncthreads();
    if (threadIdx.x < 32) {
        v += __shfl_xor_sync(0xffffffffu, v, 1);
        v += __shfl_xor_sync(0xffffffffu, v, 2);
    }
    __syncthreads();
    if (threadIdx.x == 5) {
        for (int s = 0; s < 7; s++) {
            PARARNN_DEPENDENT_STEP();
        }
    }
    __syncthreads();
    pararnn::st(out[i], v);
}
