package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.api.reference.ReferenceBackendProvider;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendProvider;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.spi.Probe;
import org.pararnn.api.spi.SelectionLog;

class EmulatedProbeTest {
    private static final SelectionLog QUIET = new SelectionLog() {
        @Override
        public void info(String message) {
        }

        @Override
        public void warn(String message) {
        }
    };

    /** Set by CI, which installs a C++ compiler: there emulated kernels that did not build are a failure, not a skip. */
    static final String REQUIRE_ENV = "PARARNN_REQUIRE_CUDA_EMULATED";

    @Test
    void theEmulatedKernelsAreBuiltWhereRequired() {
        assumeTrue(System.getenv(REQUIRE_ENV) != null, REQUIRE_ENV + " is not set");
        assertEquals(null, EmulatedDevice.unavailableReason(), REQUIRE_ENV + " is set but the emulated kernels are unavailable");
    }

    @Test
    void theProbeSaysItIsForTestingAndItIsNeverChosenUnlessForced() {
        CudaEmulatedBackendProvider emulated = new CudaEmulatedBackendProvider();
        Probe probe = emulated.probe();
        assumeTrue(probe.available(), () -> "cuda-emulated unavailable here: " + probe.reason());
        assertEquals("CUDA kernels emulated on the CPU: for testing only", probe.device());
        List<BackendProvider> both = List.of(emulated, new ReferenceBackendProvider());
        try (Backend chosen = Backends.of(both, null, null, QUIET).choose()) {
            assertEquals("reference", chosen.name());
        }
        try (Backend forced = Backends.of(both, "cuda-emulated", null, QUIET).choose()) {
            assertEquals("cuda-emulated", forced.name());
            assertTrue(forced.device().contains("emulated"), forced.device());
        }
    }

    @Test
    void aClosedBackendRefusesWork() {
        assumeTrue(EmulatedDevice.unavailableReason() == null);
        Backend b = new CudaEmulatedBackendProvider().create();
        b.close();
        float[] x = new float[4];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.scan().forward(
                org.pararnn.api.spi.ScanProblem.whole(org.pararnn.api.JacobianStructure.diagonal(), 1, 4, 1, x, x.clone(), null, x)));
        assertFalse(e.getMessage().isEmpty());
    }
}
