package org.pararnn.backend.cpu;

import org.pararnn.api.spi.BackendProvider;
import org.pararnn.conformance.BackendConformanceKit;

/** The whole conformance suite on the CPU backend (threads = available processors, SIMD when present). */
class CpuConformanceTest extends BackendConformanceKit {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }
}
