package org.pararnn.conformance;

import org.pararnn.api.reference.ReferenceBackendProvider;
import org.pararnn.api.spi.BackendProvider;

/** The api's built-in single-threaded backend passes the whole suite. */
class ReferenceBackendConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new ReferenceBackendProvider();
    }
}
