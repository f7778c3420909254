package org.pararnn.api.reference;

import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.Probe;

/** Registers {@link ReferenceBackend} with the lowest priority so any real backend wins over it. */
public final class ReferenceBackendProvider implements BackendProvider {
    public static final int PRIORITY = 0;

    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Probe probe() {
        return Probe.available("Java, single thread");
    }

    @Override
    public Backend create() {
        return new ReferenceBackend();
    }
}
