package org.pararnn.backend.cuda;

import java.util.Map;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.BackendUnavailableException;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Probe;

/**
 * {@code cuda-emulated}: the CUDA backend's kernels compiled for the host and run on the CPU by the
 * emulator, behind the same host code as on a GPU. For testing only, so never chosen automatically: its
 * priority is below the reference backend's; force it with {@code -Dpararnn.backend=cuda-emulated}.
 */
public final class CudaEmulatedBackendProvider implements BackendProvider {
    public static final String NAME = "cuda-emulated";
    /** Below {@code reference} (0): chosen only when forced. */
    public static final int PRIORITY = -10;

    private final ScanGeometry geometry;
    private final FusedStrategy strategy;

    public CudaEmulatedBackendProvider() {
        this(ScanGeometry.EMULATED, null);
    }

    /** A provider whose scans use {@code geometry} (tests: small blocks, a GPU's 1024 threads). */
    CudaEmulatedBackendProvider(ScanGeometry geometry) {
        this(geometry, null);
    }

    /** ... and whose fused kernels run {@code strategy} (null: as its options say). */
    CudaEmulatedBackendProvider(ScanGeometry geometry, FusedStrategy strategy) {
        this.geometry = geometry;
        this.strategy = strategy;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Probe probe(BackendOptions options) {
        String why = EmulatedDevice.unavailableReason();
        if (why != null) {
            return Probe.unavailable(why);
        }
        return Probe.available("CUDA kernels emulated on the CPU: for testing only",
                Map.of("threadsPerBlock", Integer.toString(geometry.threadsPerBlock()),
                        "stepsPerChunk", Integer.toString(geometry.chunk())));
    }

    @Override
    public Backend create(BackendOptions options) {
        String why = EmulatedDevice.unavailableReason();
        if (why != null) {
            throw new BackendUnavailableException(why);
        }
        return new CudaBackend(NAME, new EmulatedDevice(), geometry,
                strategy == null ? options : options.with(CudaBackend.FUSED, strategy));
    }
}
