// Launching kernels on the emulator (cuda_emu.h): used by the host-side entry points only.
#ifndef PARARNN_CUDA_EMU_LAUNCH_H
#define PARARNN_CUDA_EMU_LAUNCH_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace emu {

using Body = std::function<void()>;

// Runs body as a kernel over grid × block with sharedBytes of dynamic shared memory; returns "" or the
// first error (a barrier or warp collective misused, a bad block shape).
std::string launch(const Body& body, dim3 grid, dim3 block, std::size_t sharedBytes);

// What the last successful launch on this thread did (docs/design.md §7): its dependent phases (the most
// barriers + warp collectives + marked dependent steps any thread of any block went through, plus one for
// the launch), the distinct 32-byte sectors of global memory read and written through pararnn::ld/st, in
// bytes, and its blocks.
struct Counts {
    std::uint64_t phases = 0;
    std::uint64_t bytesRead = 0;
    std::uint64_t bytesWritten = 0;
    std::uint64_t blocks = 0;
};

Counts last_counts();

}  // namespace emu

#endif
