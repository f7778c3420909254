package org.pararnn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Probe;
import org.pararnn.api.spi.SignalChaining;

class OpenClProbeTest {
    /** Set by CI, which installs PoCL: there a missing device is a failure, not a skip. */
    static final String REQUIRE_ENV = "PARARNN_REQUIRE_OPENCL";

    @Test
    void probeReportsTheDeviceOrWhyNot() {
        OpenClBackendProvider provider = new OpenClBackendProvider();
        Probe probe = provider.probe();
        if (System.getenv(REQUIRE_ENV) != null) {
            assertTrue(probe.available(), () -> REQUIRE_ENV + " is set but opencl is unavailable: " + probe.reason());
        }
        assumeTrue(probe.available(), () -> "opencl unavailable here: " + probe.reason());
        for (String key : new String[] {"platform", "openclVersion", "device", "type", "computeUnits"}) {
            assertTrue(probe.details().containsKey(key), "probe details lack " + key + ": " + probe.details());
        }
        boolean gpu = !"CPU".equals(probe.details().get("type"));
        assertEquals(gpu ? OpenClBackendProvider.GPU_PRIORITY : OpenClBackendProvider.CPU_DEVICE_PRIORITY, provider.priority());
        try (Backend b = provider.create()) {
            assertEquals("opencl", b.name());
            assertTrue(b.device().contains(probe.details().get("device")), b.device());
        }
    }

    /**
     * The build preloads the JDK's libjsig into test JVMs (the parent POM's signal-chaining profile) and the
     * probe says so: without it PoCL's LLVM replaces the JVM's signal handlers (see {@link SignalChaining}).
     */
    @Test
    void testJvmsRunWithSignalChainingAndTheProbeSaysSo() {
        assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of(System.getProperty("java.home"), "lib", "libjsig.so")),
                "this JDK has no libjsig.so");
        SignalChaining.State state = SignalChaining.state();
        assumeTrue(state != SignalChaining.State.UNKNOWN, "no /proc/self/maps here");
        assertEquals(SignalChaining.State.LOADED, state, "LD_PRELOAD=" + System.getenv("LD_PRELOAD"));
        Probe probe = new OpenClBackendProvider().probe();
        assumeTrue(probe.available(), () -> "opencl unavailable here: " + probe.reason());
        assertEquals("libjsig loaded", probe.details().get("signalChaining"), probe.details().toString());
        assertTrue(SignalChaining.describe(SignalChaining.State.ABSENT).contains("LD_PRELOAD="));
    }

    @Test
    void aDeviceNameThatMatchesNothingIsRefusedWithTheNamesFound() {
        // Only meaningful where some device exists to be listed; every other state skips with the probe's reason.
        Probe plain = new OpenClBackendProvider().probe();
        assumeTrue(plain.available(), () -> "opencl unavailable here: " + plain.reason());
        java.util.Properties p = new java.util.Properties();
        p.setProperty("pararnn.opencl.device", "no-such-device-xyz");
        Probe c = new OpenClBackendProvider().probe(org.pararnn.api.spi.BackendOptions.from(p, java.util.Map.of()));
        assertFalse(c.available());
        assertTrue(c.reason().contains("-Dpararnn.opencl.device='no-such-device-xyz' matches no OpenCL device"), c.reason());
    }
}
