#!/usr/bin/env bash
# Builds what the CUDA backend needs from the .cu sources, with whatever toolchain this machine has:
#  - nvcc present: PTX for a virtual architecture (JIT-compiled by the driver on the GPU it meets) into
#    target/ptx/, which a test compares with the PTX packaged from src/main/resources (stale = failure);
#  - a C++ compiler present: the same sources compiled for the host against the emulation header, with
#    their JNI entry points, into the jar (the cuda-emulated backend). Without one, a marker file says why,
#    and the backend's probe reports it.
# Args: the module directory, the output classes directory, JAVA_HOME.
set -euo pipefail
module="$1"; classes="$2"; jdk="$3"
src="$module/src/main/cuda"
native="$classes/org/pararnn/backend/cuda/native/linux-x86_64"
mkdir -p "$native" "$module/target/ptx"
rm -f "$native/libpararnn_cuda_emu.so" "$native/UNAVAILABLE"

# nvcc stamps its PTX with its own ISA version (9.0 for CUDA 13), which drivers older than its CUDA cannot JIT
# although the instructions are older. The packaged PTX carries the lowest ISA version for which ptxas
# accepts every instruction of it at compute capability 7.5, so the oldest driver that can run it does.
lowest_isa() { # rewrites the .version line of the PTX file $1
  command -v ptxas >/dev/null 2>&1 || return 0
  local v
  for v in 6.3 6.4 6.5 7.0 7.1 7.2 7.3 7.4 7.5 7.6 7.7 7.8 8.0 8.1 8.2 8.3 8.4 8.5 8.6 8.7 8.8; do
    sed "s/^\.version .*/.version $v/" "$1" > "$1.try"
    if ptxas --gpu-name sm_75 "$1.try" -o /dev/null 2>/dev/null; then
      mv "$1.try" "$1"
      return 0
    fi
  done
  rm -f "$1.try"
}

if command -v nvcc >/dev/null 2>&1; then
  for unit in scan cells ops; do
    nvcc -ptx -arch=compute_75 -O3 -I"$src" "$src/$unit.cu" -o "$module/target/ptx/$unit.ptx"
    lowest_isa "$module/target/ptx/$unit.ptx"
  done
  echo "backend-cuda: PTX built by $(nvcc --version | tail -n 1), $(grep -h '^\.version' "$module"/target/ptx/*.ptx | sort -u | tr '\n' ' ')"
else
  echo "backend-cuda: no nvcc here; the packaged PTX is used as it is"
fi

CXX="${CXX:-g++}"
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "the emulated kernels are built for linux-x86_64 only (this is $(uname -s)-$(uname -m))" > "$native/UNAVAILABLE"
elif ! command -v "$CXX" >/dev/null 2>&1; then
  echo "no C++ compiler ($CXX) was found when backend-cuda was built" > "$native/UNAVAILABLE"
else
  "$CXX" -std=c++17 -O2 -g0 -fPIC -shared -Wall -Wno-unknown-pragmas \
    -I"$src" -I"$src/emu" -I"$jdk/include" -I"$jdk/include/linux" \
    -include "$src/emu/cuda_emu.h" -x c++ "$src/scan.cu" "$src/cells.cu" "$src/ops.cu" "$src/emu/emu_selftest.cu" -x none \
    "$src/emu/cuda_emu.cpp" "$src/emu/emu_api.cpp" "$src/emu/emu_jni.cpp" \
    -o "$native/libpararnn_cuda_emu.so"
  echo "backend-cuda: emulated kernels built by $("$CXX" --version | head -n 1)"
fi
