package org.pararnn.backend.cpu;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Probe;

/**
 * Registers the CPU backend (priority 100: above the api's reference, below accelerators). Pure Java,
 * so it is available wherever it loads; the probe reports threads and SIMD width.
 */
public final class CpuBackendProvider implements BackendProvider {
    public static final int PRIORITY = 100;
    private final FusedStrategy strategy;
    private final boolean alwaysChunkScans;

    public CpuBackendProvider() {
        this(null, false);
    }

    /**
     * A provider whose backend always uses {@code strategy} for its fused solvers (null: as its options say) and,
     * with {@code alwaysChunkScans}, chunks every scan it can (tests of each path).
     */
    CpuBackendProvider(FusedStrategy strategy, boolean alwaysChunkScans) {
        this.strategy = strategy;
        this.alwaysChunkScans = alwaysChunkScans;
    }

    @Override
    public String name() {
        return CpuBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Probe probe(BackendOptions options) {
        // A setting that does not parse is thrown: a mistake to fix, never a reason to run on another backend.
        int threads = CpuOptions.threads(options);
        boolean simd = options.get(CpuOptions.SIMD);
        DiagonalKernels k = DiagonalKernels.best(simd);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("threads", Integer.toString(threads));
        details.put("simdLanes", Integer.toString(k.lanes()));
        return Probe.available(CpuBackend.describe(threads, k), details);
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CpuBackend(strategy == null ? options : options.with(CpuOptions.FUSED, strategy), alwaysChunkScans);
    }
}
