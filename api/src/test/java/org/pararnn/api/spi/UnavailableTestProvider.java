package org.pararnn.api.spi;

/** Registered through test resources' META-INF/services, so discovery sees more than the built-in one. */
public final class UnavailableTestProvider implements BackendProvider {
    @Override
    public String name() {
        return "test-unavailable";
    }

    @Override
    public int priority() {
        return 5;
    }

    @Override
    public Probe probe() {
        return Probe.unavailable("test provider: never available");
    }

    @Override
    public Backend create() {
        throw new BackendUnavailableException("test provider: never available");
    }
}
