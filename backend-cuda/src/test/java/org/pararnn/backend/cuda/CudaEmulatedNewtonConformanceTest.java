package org.pararnn.backend.cuda;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.conformance.BackendConformanceKit;

/**
 * The conformance suite with the fused kernels forced to Newton in time (ParaGRU; ParaLSTM walks time), in
 * blocks of 64 threads and 16 steps per thread (windows of 1024 steps at one lane per block).
 */
class CudaEmulatedNewtonConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new CudaEmulatedBackendProvider(new ScanGeometry(64, 16), FusedStrategy.NEWTON);
    }
}
