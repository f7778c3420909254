package org.pararnn.backend.cuda;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.conformance.BackendConformanceKit;

/** The whole conformance suite on the CUDA kernels emulated on the CPU, as a user forcing cuda-emulated gets them. */
class CudaEmulatedConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new CudaEmulatedBackendProvider();
    }
}
