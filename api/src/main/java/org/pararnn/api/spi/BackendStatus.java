package org.pararnn.api.spi;

/**
 * A backend found on the class path and what its probe said. {@code provider} is null when the
 * provider itself could not be loaded (the probe then says why).
 */
public record BackendStatus(String name, int priority, Probe probe, BackendProvider provider) {

    public boolean available() {
        return probe.available() && provider != null;
    }
}
