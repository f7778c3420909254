package org.pararnn.backend.cpu;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.conformance.BackendConformanceKit;

/**
 * The whole conformance suite again with the fused ParaGRU forced onto its Newton-in-time strategy
 * (time chunks wherever the sequence allows them), so that strategy is qualified at every shape, not
 * only where AUTO would pick it.
 */
class CpuNewtonConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider(FusedStrategy.NEWTON);
    }
}
