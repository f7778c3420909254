package org.pararnn.backend.opencl;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.conformance.BackendConformanceKit;

/**
 * The whole suite again with the fused cells forced onto Newton in time and every scan cut into as many
 * chunks as the sequence allows (up to the combine work-group's limit), so the local-memory combine and
 * the fix-up run at every shape, not only where a large device would choose them.
 */
class OpenClNewtonConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new OpenClBackendProvider(FusedStrategy.NEWTON, ChunkedScanKernel.MAX_CHUNKS);
    }
}
