#!/usr/bin/env bash
# The CUDA backend on a GPU in one call: runs on a bare Linux machine with an NVIDIA GPU and no JDK, from
# the repository root, with .gpu/ (made by backend-cuda/gpu-prepare.sh) carried along. It lists what the
# CUDA driver shows, runs the conformance suite on `cuda` (and on `opencl` where the driver also exposes
# OpenCL and the OpenCL jars were carried), then the scan and fused-cell timings beside the device's copy floor, and writes
# $OUT/cuda-check.md, and the bench report (./pararnn bench) in $OUT/bench. Every step has a time limit
# (300 s in all, 480 with GPU_CHECK_WIDE=1; `timeout -k 5` each) and streams its output into the report as it
# goes, so a run stopped from outside still says which checks passed; without a GPU it fails at once,
# saying why.
# GPU_CHECK_BACKEND=cuda-emulated rehearses every step on the emulated kernels (small timing shapes).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
G="$ROOT/.gpu"
OUT="${OUT:-$G/out}"
mkdir -p "$OUT"
R="$OUT/cuda-check.md"
: > "$R"
fail() { echo "gpu-check: $*" | tee -a "$R" >&2; exit 1; }
[ -x "$G/jre/bin/java" ] || fail "no Java runtime in .gpu/jre: run backend-cuda/gpu-prepare.sh on a build machine and carry .gpu"
# OpenBLAS is not carried (size): GEMMs of the cell checks run in Java loops.
JAVA=("$G/jre/bin/java" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xmx48g -Dpararnn.blas=false -cp "$G/lib/*")
# PoCL or a GPU vendor's OpenCL may install signal handlers over the JVM's; keep the JVM's first.
[ -f "$G/jre/lib/libjsig.so" ] && export LD_PRELOAD="$G/jre/lib/libjsig.so"

{
  echo "# CUDA backend on a GPU"
  echo
  echo "- date: $(date -u +%FT%TZ)"
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if command -v nvidia-smi >/dev/null 2>&1; then
    echo "- nvidia-smi: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 4 | tr '\n' ';')"
  else
    echo "- nvidia-smi: not found"
  fi
  echo
} >> "$R"

step() { # name, seconds, command...: its output streamed to the console and into the report as it comes
  local name="$1" secs="$2"; shift 2
  echo "## $name" >> "$R"; echo >> "$R"; echo '```' >> "$R"
  echo "== $name (limit ${secs} s)"
  local t0=$SECONDS
  timeout -k 5 "$secs" "$@" 2>&1 | tee -a "$R"
  local rc=${PIPESTATUS[0]}
  echo '```' >> "$R"
  { [ $rc -eq 124 ] || [ $rc -eq 137 ]; } && echo "(stopped after ${secs} s)" | tee -a "$R"
  echo "exit status: $rc after $((SECONDS - t0)) s" | tee -a "$R"; echo >> "$R"
  return $rc
}

B="${GPU_CHECK_BACKEND:-cuda}"
QUICK=()
[ "$B" = cuda ] || QUICK=(--quick)
# 1. The probe alone: on a machine without a usable GPU, stop here with its reason.
step "probe" 15 "${JAVA[@]}" org.pararnn.backend.cuda.ScanTiming --backend "$B" --max-element-steps 0 \
  || fail "the $B backend cannot run here (see above)"
# 2. The whole conformance suite on the GPU, each launch waited for (an error names the kernel that made it).
step "conformance: $B" 90 env CUDA_LAUNCH_BLOCKING=1 "${JAVA[@]}" org.pararnn.conformance.ConformanceMain --backend "$B" --verbose true
conformance=$?
# 3. OpenCL on the same GPU, where the driver exposes it (skipped with the probe's reason otherwise).
if ls "$G"/lib/backend-opencl-*.jar >/dev/null 2>&1; then
  step "conformance: opencl" 15 "${JAVA[@]}" -Dpararnn.opencl.device= org.pararnn.conformance.ConformanceMain --backend opencl || true
else
  echo "## conformance: opencl" >> "$R"; echo >> "$R"
  echo "not run: the OpenCL jars were not carried (GPU_PREPARE_OPENCL=1 backend-cuda/gpu-prepare.sh carries them)" | tee -a "$R"; echo >> "$R"
fi
# 4. Scan kernel time beside the copy floor, the layout chosen by shape against the windowed one.
step "scan timings" 35 "${JAVA[@]}" org.pararnn.backend.cuda.ScanTiming --backend "$B" "${QUICK[@]}"
# 5. The fused cells: walk against Newton in time, forward and forward + backward, beside the copy floor.
step "fused-cell timings" 45 "${JAVA[@]}" org.pararnn.backend.cuda.FusedTiming --backend "$B" "${QUICK[@]}"
# 6. A language model's training step on the backend's ops next to its products alone (issue 18): the
#    TinyShakespeare recipe's shape; GPU_CHECK_WIDE=1 adds D=1024, 8 layers, context 1024, batch 16.
if [ "$B" = cuda ]; then
  step "training step vs its products" 40 "${JAVA[@]}" org.pararnn.bench.StepTiming --backend "$B" --pairs 6 --per 3 || true
  if [ "${GPU_CHECK_WIDE:-0}" = 1 ]; then
    for c in paragru paralstm; do
      step "training step vs its products: D=1024 $c" 90 "${JAVA[@]}" org.pararnn.bench.StepTiming --backend "$B" --dim 1024 \
        --layers 8 --heads 2 --context 1024 --batch 16 --cell "$c" --pairs 2 --per 1 || true
    done
  fi
else
  step "training step vs its products" 40 "${JAVA[@]}" org.pararnn.bench.StepTiming --backend "$B" --dim 32 --layers 1 \
    --context 16 --batch 4 --pairs 2 --per 1 || true
fi
# 7. The cross-backend report (./pararnn bench) on this backend: its tables and plots land in $OUT/bench.
if [ "$B" = cuda ]; then
  step "bench report" 60 "${JAVA[@]}" -Djava.awt.headless=true org.pararnn.bench.report.BenchMain --quick --backends "$B" \
    --shapes 1024:64,16384:64,1024:4096,16384:4096 --warmup-ms 300 --out "$OUT/bench" || true
else
  step "bench report" 60 "${JAVA[@]}" -Djava.awt.headless=true org.pararnn.bench.report.BenchMain --quick --backends "$B" \
    --shapes 64:4,256:4 --warmup-ms 300 --out "$OUT/bench" || true
fi
echo "gpu-check: report in $R"
exit $conformance
