package org.pararnn.api.reference;

import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.LinearScan;

/** Single-threaded pure-Java backend built into the api: always available, never fast. */
public final class ReferenceBackend implements Backend {
    public static final String NAME = "reference";
    private final LinearScan scan = new ReferenceScan();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return "Java, single thread";
    }

    @Override
    public LinearScan scan() {
        return scan;
    }
}
