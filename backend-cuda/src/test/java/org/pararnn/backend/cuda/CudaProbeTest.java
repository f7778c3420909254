package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.api.spi.BackendUnavailableException;
import org.pararnn.api.spi.Probe;

class CudaProbeTest {
    /** On a GPU the probe names device, capability, memory and driver; elsewhere it says why not, and create refuses. */
    @Test
    void probeReportsTheGpuOrWhyNot() {
        CudaBackendProvider provider = new CudaBackendProvider();
        Probe probe = provider.probe();
        if (probe.available()) {
            for (String key : new String[] {"device", "computeCapability", "memoryMiB", "driverVersion"}) {
                assertTrue(probe.details().containsKey(key), "probe details lack " + key + ": " + probe.details());
            }
            assertEquals(CudaBackendProvider.GPU_PRIORITY, provider.priority());
        } else {
            assertFalse(probe.reason().isBlank());
            assertEquals(CudaBackendProvider.UNAVAILABLE_PRIORITY, provider.priority());
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class, provider::create);
            assertEquals(probe.reason(), e.getMessage());
        }
    }

    @Test
    void aDeviceThatIsNotANumberIsRefusedByName() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("pararnn.cuda.device", "first");
        org.pararnn.api.spi.BackendOptions options = org.pararnn.api.spi.BackendOptions.from(p, java.util.Map.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CudaBackendProvider.ordinal(options));
        assertTrue(e.getMessage().contains("-Dpararnn.cuda.device='first'"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CudaBackendProvider().probe(options)).getMessage()
                .contains("-Dpararnn.cuda.device='first' is not a whole number"));
        java.util.Map<String, String> env = java.util.Map.of("PARARNN_CUDA_DEVICE", "-1");
        org.pararnn.api.spi.BackendOptions fromEnv = org.pararnn.api.spi.BackendOptions.from(new java.util.Properties(), env);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new CudaBackendProvider().probe(fromEnv)).getMessage()
                .contains("PARARNN_CUDA_DEVICE='-1' is not a whole number ≥ 0"));
    }

    @Test
    void aLibraryThatDidNotLinkIsOneLineNamingWhatIsMissing() {
        UnsatisfiedLinkError jcudaStyle = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver\"\n"
                + "\tat jcuda.LibUtils.loadLibrary(LibUtils.java:168)\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver.so: libcuda.so.1: cannot open shared object file: No such file");
        assertEquals("libcuda.so.1: cannot open shared object file: No such file", CudaBackendProvider.rootCause(jcudaStyle));
        assertEquals("plain reason", CudaBackendProvider.rootCause(new RuntimeException("plain reason\nsecond line")));
    }
}
