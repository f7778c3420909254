#!/usr/bin/env bash
# Prepares, on a build machine with a JDK 21+ and Maven, what backend-cuda/gpu-check.sh needs on a GPU
# machine that has no JDK: a jlink'ed runtime and the jars, in .gpu/ (ignored by git; carry it to the GPU
# machine). The whole tree that travels must stay under 64 MiB; the script prints the size.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/*; do
  if [ -n "$c" ] && [ -x "$c/bin/jlink" ] && "$c/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    export JAVA_HOME="$c"; break
  fi
done
[ -x "${JAVA_HOME:-}/bin/jlink" ] || { echo "gpu-prepare: no JDK 21+ with jlink found" >&2; exit 1; }
mvn -B -q -Dstyle.color=never -DskipTests package -pl backend-cuda,backend-opencl,conformance-tests,lm-model,bench -am
rm -rf .gpu
mkdir -p .gpu/lib
# The modules the jars use (jdeps), plus the Vector API the CPU path may load; no debug symbols or docs.
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,java.sql,jdk.unsupported,jdk.incubator.vector \
  --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output .gpu/jre
# The JVM's static symbol tables serve debuggers only; its dynamic symbols, which it links by, stay.
if command -v strip >/dev/null 2>&1; then
  strip --strip-unneeded .gpu/jre/lib/server/libjvm.so .gpu/jre/lib/*.so
fi
# OpenBLAS's natives (20 MB) stay behind: the GPU check runs with -Dpararnn.blas=false (GEMM in Java loops).
cp conformance-tests/target/conformance-tests.jar .gpu/lib/
for j in conformance-tests/target/lib/*.jar; do
  case "$(basename "$j")" in openblas-*|javacpp-*) ;; *) cp "$j" .gpu/lib/ ;; esac
done
cp backend-cuda/target/backend-cuda-*.jar .gpu/lib/
# The model and the step timing (bench's own classes only: its shaded jar carries OpenBLAS).
cp lm-model/target/lm-model.jar bench/target/bench-*.jar .gpu/lib/
# The OpenCL backend and its run-time jars (Aparapi and Scala's library, the largest jars here) only with
# GPU_PREPARE_OPENCL=1: the OpenCL check on an NVIDIA GPU is optional, and what travels must stay under 56 MiB.
if [ "${GPU_PREPARE_OPENCL:-0}" = 1 ]; then
  cp backend-opencl/target/backend-opencl-*.jar .gpu/lib/
  deps="$(mktemp -d)"
  mvn -B -q -Dstyle.color=never dependency:copy-dependencies -pl backend-opencl -DincludeScope=runtime -DoutputDirectory="$deps"
  for j in "$deps"/*.jar; do
    case "$(basename "$j")" in aparapi-jni-*) ;; *) cp -n "$j" .gpu/lib/ ;; esac
  done
  rm -rf "$deps"
  # Aparapi's JNI jar carries every platform's library (19 MB); keep linux/x86_64's only.
  tmp="$(mktemp -d)"
  jni="$(ls "${MAVEN_REPO:-$HOME/.m2/repository}"/com/aparapi/aparapi-jni/*/aparapi-jni-*.jar | head -n 1)"
  (cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$jni" && rm -rf osx win linux/libaparapi_aarch64.so linux/libaparapi_armhf.so linux/libaparapi_x86.so \
    && "$JAVA_HOME/bin/jar" cf "$ROOT/.gpu/lib/$(basename "$jni")" .)
  rm -rf "$tmp"
fi
m2="${MAVEN_REPO:-$HOME/.m2/repository}/org/jcuda"
cp "$m2/jcuda/12.6.0/jcuda-12.6.0.jar" .gpu/lib/
# JCuda's natives jar holds four libraries (26 MB); the driver API needs only JCudaDriver.
tmp="$(mktemp -d)"
(cd "$tmp" && "$JAVA_HOME/bin/jar" xf "$m2/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar" lib/libJCudaDriver-12.6.0-linux-x86_64.so \
  && "$JAVA_HOME/bin/jar" cf "$ROOT/.gpu/lib/jcuda-natives-driver-12.6.0-linux-x86_64.jar" lib)
rm -rf "$tmp"
# What travels to the GPU machine is the working tree (tracked and unignored files) plus .gpu: at most 56 MiB,
# which leaves room under the device tool's 64 MiB limit.
gpu_kib="$(du -sk .gpu | cut -f1)"
tree_kib="$( (git ls-files -z --cached --others --exclude-standard | xargs -0 -r du -ck 2>/dev/null || echo 0) | tail -n 1 | cut -f1)"
total_kib=$((gpu_kib + tree_kib))
echo "gpu-prepare: .gpu $((gpu_kib / 1024)) MiB + working tree $((tree_kib / 1024)) MiB = $((total_kib / 1024)) MiB to carry (limit 56 MiB)"
if [ "$total_kib" -gt $((56 * 1024)) ]; then
  echo "gpu-prepare: what travels exceeds 56 MiB; leave optional jars out of .gpu" >&2
  exit 1
fi
echo "gpu-prepare: done; on the GPU machine run: bash backend-cuda/gpu-check.sh (with .gpu carried)"
