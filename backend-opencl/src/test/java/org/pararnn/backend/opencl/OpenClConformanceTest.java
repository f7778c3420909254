package org.pararnn.backend.opencl;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.conformance.BackendConformanceKit;

/** The whole conformance suite on the OpenCL backend as a user gets it (device, chunking and AUTO by shape). */
class OpenClConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new OpenClBackendProvider();
    }
}
