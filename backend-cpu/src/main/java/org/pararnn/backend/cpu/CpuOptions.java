package org.pararnn.backend.cpu;

import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.BackendOptions.Key;
import org.pararnn.api.spi.FusedStrategy;

/**
 * The {@code cpu} backend's options ({@link BackendOptions}), read once when it is made. The products' options
 * (OpenBLAS on or off, its threshold, in place or on copies) are the host products' ({@link
 * org.pararnn.api.ops.HostGemm}), shared with the host ops that stand in for a device backend.
 */
public final class CpuOptions {
    /** Threads of the backend's pool; unset: the available processors. */
    public static final Key<Integer> THREADS = Key.whole("pararnn.cpu.threads", null, null, 1);
    /** Whether the calling thread takes tasks too (default) or only waits for the pool. */
    public static final Key<Boolean> CALLER_RUNS = Key.flag("pararnn.cpu.callerRuns", true);
    /** Whether the passes of one solve keep their helpers spinning between passes (default) or recruit them each time. */
    public static final Key<Boolean> BURSTS = Key.flag("pararnn.cpu.burst", true);
    /** Whether the row kernels use the Vector API where the JVM has it (default) or scalar loops. */
    public static final Key<Boolean> SIMD = Key.flag("pararnn.cpu.simd", true);
    /** How the fused solvers run in time unless a caller asks for a strategy. */
    public static final Key<FusedStrategy> FUSED = FusedStrategy.key(CpuBackend.NAME);

    private CpuOptions() {
    }

    /** The threads {@code options} ask for, else every available processor. */
    static int threads(BackendOptions options) {
        return options.find(THREADS).orElseGet(() -> Runtime.getRuntime().availableProcessors());
    }
}
