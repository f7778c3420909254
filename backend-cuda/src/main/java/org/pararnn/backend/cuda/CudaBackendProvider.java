package org.pararnn.backend.cuda;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.BackendUnavailableException;
import org.pararnn.api.spi.Probe;

/**
 * {@code cuda}: the kernels on an NVIDIA GPU through the JCuda driver API. Priority 300 on a machine with
 * a usable GPU (above every other backend); before its probe, the estimate is 300 only where an NVIDIA
 * driver is installed, so a machine without one never probes it (and never logs a skip) unless asked.
 * The option {@link #DEVICE} ({@code -Dpararnn.cuda.device=N} or {@code PARARNN_CUDA_DEVICE=N}) picks the device
 * (default 0).
 */
public final class CudaBackendProvider implements BackendProvider {
    public static final String NAME = "cuda";
    public static final int GPU_PRIORITY = 300;
    /** Without a usable GPU: below {@code cpu}, so that it is never chosen and never probed before it. */
    public static final int UNAVAILABLE_PRIORITY = 90;
    /** The device ordinal (default 0). */
    static final BackendOptions.Key<Integer> DEVICE = BackendOptions.Key.whole("pararnn.cuda.device", "PARARNN_CUDA_DEVICE", 0, 0);

    /** Probes by device ordinal, per process: the driver library loads (or fails to) once per JVM. */
    private static final Map<Integer, Probe> PROBES = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public String name() {
        return NAME;
    }

    /** The ordinal of the last probe, for {@link #priority()}: 0 until one ran. */
    private volatile int lastOrdinal;

    @Override
    public int priority() {
        Probe p = PROBES.get(lastOrdinal);
        if (p != null) {
            return p.available() ? GPU_PRIORITY : UNAVAILABLE_PRIORITY;
        }
        return driverInstalled() ? GPU_PRIORITY : UNAVAILABLE_PRIORITY;
    }

    /** Whether an NVIDIA driver looks installed, without loading anything. */
    static boolean driverInstalled() {
        if (Files.exists(Path.of("/proc/driver/nvidia/version"))) {
            return true;
        }
        for (String dir : new String[] {"/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/lib/wsl/lib"}) {
            if (Files.exists(Path.of(dir, "libcuda.so.1"))) {
                return true;
            }
        }
        return false;
    }

    /** The device ordinal {@code options} ask for; a value that is not a number is an error naming it. */
    static int ordinal(BackendOptions options) {
        return options.get(DEVICE);
    }

    @Override
    public Probe probe(BackendOptions options) {
        // A device option that does not parse is thrown: a mistake to fix, never a reason to run elsewhere.
        int ordinal = ordinal(options);
        lastOrdinal = ordinal;
        return PROBES.computeIfAbsent(ordinal, CudaBackendProvider::doProbe);
    }

    private static Probe doProbe(int ordinal) {
        JCudaDevice.Info info;
        try {
            info = JCudaDevice.inspect(ordinal);
        } catch (UnsatisfiedLinkError e) {
            return Probe.unavailable("the NVIDIA driver (libcuda.so.1) could not be loaded: " + rootCause(e));
        } catch (NoClassDefFoundError e) {
            return Probe.unavailable("JCuda could not be initialised: " + rootCause(e));
        } catch (RuntimeException e) {
            return Probe.unavailable(e.getMessage());
        }
        if (info.capability() < JCudaDevice.MIN_CAPABILITY) {
            return Probe.unavailable(info.describe() + " is older than compute capability 7.5, the oldest the packaged PTX runs on");
        }
        // The PTX must load on this device: open it once, and close it.
        try (JCudaDevice d = new JCudaDevice(info.ordinal())) {
            Map<String, String> details = new LinkedHashMap<>();
            details.put("device", info.name());
            details.put("computeCapability", info.capability() / 10 + "." + info.capability() % 10);
            details.put("memoryMiB", Long.toString(info.memoryBytes() >> 20));
            details.put("driverVersion", info.driverVersion() / 1000 + "." + info.driverVersion() % 1000 / 10);
            details.put("ordinal", Integer.toString(info.ordinal()));
            details.put("devicesFound", Integer.toString(info.devices()));
            return Probe.available(d.describe(), details);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return Probe.unavailable(e.getMessage());
        }
    }

    /**
     * Why a native library did not link, in one line: the loader's own line ("libcuda.so.1: cannot open shared
     * object file") wherever in the chain of messages it is (JCuda folds it into a multi-line message).
     */
    static String rootCause(Throwable e) {
        String first = null;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage() == null ? t.toString() : t.getMessage();
            for (String line : m.lines().toList()) {
                int so = line.indexOf(".so: ");
                if (so >= 0) {
                    return line.substring(so + 5).trim();
                }
                if (first == null && !line.isBlank()) {
                    first = line.trim();
                }
            }
        }
        return first == null ? e.toString() : first;
    }

    @Override
    public Backend create(BackendOptions options) {
        Probe p = probe(options);
        if (!p.available()) {
            throw new BackendUnavailableException(p.reason());
        }
        try {
            return new CudaBackend(NAME, new JCudaDevice(ordinal(options)), ScanGeometry.GPU, options);
        } catch (IllegalStateException e) {
            throw new BackendUnavailableException(e.getMessage());
        }
    }
}
