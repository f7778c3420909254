package org.pararnn.api.ops;

import java.util.ServiceLoader;

/** {@link HostGemm#installed}: looked up once, on first use. */
final class InstalledGemm {
    static final HostGemm GEMM = ServiceLoader.load(HostGemm.class, HostGemm.class.getClassLoader()).findFirst().orElse(null);

    private InstalledGemm() {
    }
}
