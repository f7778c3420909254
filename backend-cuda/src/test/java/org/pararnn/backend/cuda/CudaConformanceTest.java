package org.pararnn.backend.cuda;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.conformance.BackendConformanceKit;

/** The whole conformance suite on a GPU through the driver API; skipped with the probe's reason where there is none. */
class CudaConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new CudaBackendProvider();
    }
}
