package org.pararnn.api.spi;

/**
 * The {@link java.util.ServiceLoader} entry point of a backend
 * ({@code META-INF/services/org.pararnn.api.spi.BackendProvider}).
 *
 * <p>A provider is cheap: its constructor never throws and touches no native library; {@link #probe(BackendOptions)}
 * does the checking (and should cache its answer); {@link #create(BackendOptions)} builds the engine lazily. Both take
 * the options the backend is to be made with (its device choice, threads, ...), read once by the caller
 * ({@link Backends}); a provider implements one form of each method, with options or without.
 */
public interface BackendProvider {

    /** Short lowercase name used for selection ({@code cpu}, {@code opencl}, {@code cuda}, ...). */
    String name();

    /**
     * Higher wins when no backend is forced. Must be cheap: it is read before the probe runs, and may be
     * an estimate until then (the selection ranks a provider again when its priority changes on probing).
     */
    int priority();

    /** Whether the backend can run here with {@code options}, and if not, why. Must not throw. */
    default Probe probe(BackendOptions options) {
        return probe();
    }

    /** {@link #probe(BackendOptions)} with every option at its default. */
    default Probe probe() {
        return probe(BackendOptions.defaults());
    }

    /**
     * Builds the backend with {@code options}, which it reads now and never again; throws
     * {@link BackendUnavailableException} with the reason when it cannot, {@link IllegalArgumentException} naming
     * an option whose value it cannot use.
     */
    default Backend create(BackendOptions options) {
        return create();
    }

    /** {@link #create(BackendOptions)} with every option at its default. */
    default Backend create() {
        return create(BackendOptions.defaults());
    }
}
