// Launching kernels on the emulator (cuda_emu.h): used by the host-side entry points only.
#ifndef PARARNN_CUDA_EMU_LAUNCH_H
#define PARARNN_CUDA_EMU_LAUNCH_H

#include <cstddef>
#include <functional>
#include <string>

namespace emu {

using Body = std::function<void()>;

// Runs body as a kernel over grid × block with sharedBytes of dynamic shared memory; returns "" or the
// first error (a barrier or warp collective misused, a bad block shape).
std::string launch(const Body& body, dim3 grid, dim3 block, std::size_t sharedBytes);

}  // namespace emu

#endif
