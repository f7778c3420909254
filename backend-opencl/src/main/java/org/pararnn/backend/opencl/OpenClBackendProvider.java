package org.pararnn.backend.opencl;

import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.BackendUnavailableException;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Probe;
import org.pararnn.api.spi.SignalChaining;

/**
 * Registers the OpenCL backend. Priority 200 on a GPU or accelerator (above the CPU backend's 100), 50
 * on a CPU device such as PoCL: there the pure-Java CPU backend is faster, so {@code opencl} runs only
 * when asked for ({@code -Dpararnn.backend=opencl} or {@code PARARNN_BACKEND=opencl}). The probe
 * loads the OpenCL loader once and caches its answer.
 */
public final class OpenClBackendProvider implements BackendProvider {
    public static final int GPU_PRIORITY = 200;
    public static final int CPU_DEVICE_PRIORITY = 50;

    private final FusedStrategy strategy;
    private final int forcedChunks;
    /** The device chosen per value of the device option ("" when unset): the loader is asked once for each. */
    private final java.util.Map<String, OpenClDevices.Choice> choices = new java.util.concurrent.ConcurrentHashMap<>();
    /** The last choice made, for {@link #priority()}. */
    private volatile OpenClDevices.Choice choice;
    private static final java.util.concurrent.atomic.AtomicBoolean WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    public OpenClBackendProvider() {
        this(null, 0);
    }

    /**
     * A provider whose backend uses {@code strategy} for the fused cells (null: as its options say) and
     * {@code forcedChunks} time chunks (tests).
     */
    OpenClBackendProvider(FusedStrategy strategy, int forcedChunks) {
        this.strategy = strategy;
        this.forcedChunks = forcedChunks;
    }

    @Override
    public String name() {
        return OpenClBackend.NAME;
    }

    private OpenClDevices.Choice choice(BackendOptions options) {
        String wanted = options.find(OpenClDevices.DEVICE).orElse("");
        String origin = options.origin(OpenClDevices.DEVICE).orElse(null);
        OpenClDevices.Choice c = choices.computeIfAbsent(wanted,
                w -> OpenClDevices.choose(w.isEmpty() ? null : w, origin, options.get(OpenClDevices.VERBOSE)));
        choice = c;
        return c;
    }

    /**
     * Exact once probed (by the chosen device's type). Before that an estimate that loads nothing: the
     * installed OpenCL ICDs ({@code /etc/OpenCL/vendors}, or {@code OCL_ICD_VENDORS}); only PoCL means a
     * CPU device, anything else may be a GPU. So on a PoCL-only machine selection never even probes
     * OpenCL unless it is asked for.
     */
    @Override
    public int priority() {
        OpenClDevices.Choice c = choice;
        if (c != null) {
            return c.usable() && c.accelerator() ? GPU_PRIORITY : CPU_DEVICE_PRIORITY;
        }
        return IcdFiles.onlyCpuRuntimes() ? CPU_DEVICE_PRIORITY : GPU_PRIORITY;
    }

    @Override
    public Probe probe(BackendOptions options) {
        OpenClDevices.Choice c = choice(options);
        return c.usable() ? Probe.available(c.describe(), c.details()) : Probe.unavailable(c.reason());
    }

    @Override
    public Backend create(BackendOptions options) {
        OpenClDevices.Choice c = choice(options);
        if (!c.usable()) {
            throw new BackendUnavailableException(c.reason());
        }
        if (SignalChaining.state() == SignalChaining.State.ABSENT && !WARNED.getAndSet(true)) {
            System.getLogger("org.pararnn.backend.opencl").log(System.Logger.Level.WARNING,
                    "OpenCL without signal chaining: " + SignalChaining.describe(SignalChaining.State.ABSENT));
        }
        // Enough work-items to keep every compute unit busy: thousands per unit on a GPU, a few on a CPU device.
        int perUnit = c.accelerator() ? 2048 : 8;
        Chunking chunking = new Chunking(Math.max(1, c.device().getMaxComputeUnits()) * perUnit, forcedChunks);
        try {
            return new OpenClBackend(c, chunking, strategy == null ? options : options.with(OpenClBackend.FUSED, strategy));
        } catch (OpenClException e) {
            throw new BackendUnavailableException(e.getMessage());
        }
    }
}
