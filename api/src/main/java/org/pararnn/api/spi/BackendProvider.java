package org.pararnn.api.spi;

/**
 * The {@link java.util.ServiceLoader} entry point of a backend
 * ({@code META-INF/services/org.pararnn.api.spi.BackendProvider}).
 *
 * <p>A provider is cheap: its constructor never throws and touches no native library; {@link #probe()}
 * does the checking (and should cache its answer); {@link #create()} builds the engine lazily.
 */
public interface BackendProvider {

    /** Short lowercase name used for selection ({@code cpu}, {@code opencl}, {@code cuda}, ...). */
    String name();

    /**
     * Higher wins when no backend is forced. Must be cheap: it is read before the probe runs, and may be
     * an estimate until then (the selection ranks a provider again when its priority changes on probing).
     */
    int priority();

    /** Whether the backend can run here, and if not, why. Must not throw. */
    Probe probe();

    /** Builds the backend; throws {@link BackendUnavailableException} with the reason when it cannot. */
    Backend create();
}
