package org.pararnn.backend.cpu;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.conformance.BackendConformanceKit;

/**
 * The whole conformance suite again with the fused ParaGRU forced onto its Newton-in-time strategy
 * (time chunks wherever the sequence allows them) and every scan chunked wherever the batch leaves
 * threads idle, so those paths are qualified at every shape, not only where they are picked.
 */
class CpuNewtonConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider(FusedStrategy.NEWTON, true);
    }
}
