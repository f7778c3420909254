package org.pararnn.backend.cpu.blas;

import java.util.Locale;
import java.util.Set;

/**
 * What to say about the kernels OpenBLAS runs, given {@code OPENBLAS_CORETYPE} and the processor.
 *
 * <p>OpenBLAS picks its kernels from the CPU's identity unless {@code OPENBLAS_CORETYPE} names them. That
 * setting is the environment's to make and is kept; but a machine image may export it for reasons of its own,
 * and on a processor with AVX-512 a pin to older kernels halves the width of every product (docs/design.md §6,
 * "OpenBLAS's kernels", has what it cost on our machines). So the run header says so, with the fix, instead of
 * the run being silently slower.
 */
final class OpenBlasCoreType {
    static final String ENVIRONMENT = "OPENBLAS_CORETYPE";
    /** The AVX-512 subsets OpenBLAS's SkylakeX kernels are built for. */
    private static final String[] SKYLAKEX_FEATURES = {"avx512f", "avx512cd", "avx512dq", "avx512bw", "avx512vl"};
    /** OpenBLAS's x86 cores whose single-precision kernels use AVX-512. */
    private static final Set<String> AVX512_CORES = Set.of("skylakex", "cooperlake", "sapphirerapids");

    private OpenBlasCoreType() {
    }

    /**
     * Where OpenBLAS's choice of kernels comes from, in words for the run header: null when OpenBLAS decides
     * by itself; the setting when the environment names kernels; and the fix when those kernels leave the
     * processor's AVX-512 unused.
     *
     * @param environment {@code OPENBLAS_CORETYPE} as the process was started with it, or null
     */
    static String note(String environment, CpuIdentity cpu) {
        if (environment == null || environment.isBlank()) {
            return null;
        }
        String setting = ENVIRONMENT + "=" + environment.trim() + " in the environment";
        if (cpu.hasAll(SKYLAKEX_FEATURES) && !AVX512_CORES.contains(environment.trim().toLowerCase(Locale.ROOT))) {
            return setting + ", which leaves this CPU's AVX-512 unused: without it OpenBLAS picks AVX-512 kernels"
                    + " (1.8-1.9x faster products measured on a Zen 5); unset it, or set SkylakeX";
        }
        return setting;
    }
}
