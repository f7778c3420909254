package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The PTX packaged in the jar (what a user's driver JIT-compiles; src/main/resources) is what nvcc makes
 * of the sources today: where the build had nvcc it compiled target/ptx/scan.ptx, and a difference means
 * the packaged PTX is stale (copy the new one over it).
 */
class PackagedPtxTest {
    @Test
    void thePackagedPtxIsCurrent() throws IOException {
        for (String unit : JCudaDevice.PTX_UNITS) {
            Path built = Path.of("target", "ptx", unit);
            assumeTrue(Files.exists(built), "no nvcc at build time: the packaged PTX could not be checked here");
            String packaged;
            try (InputStream in = PackagedPtxTest.class.getResourceAsStream(unit)) {
                assertNotNull(in, "the jar packages no " + unit);
                packaged = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            assertEquals(code(Files.readString(built)), code(packaged), "src/main/resources/org/pararnn/backend/cuda/" + unit
                    + " is stale: copy " + built.toAbsolutePath() + " over it");
        }
    }

    /**
     * Kernels a plan may launch with 1024 threads a block (time spread over blocks) are compiled for it
     * ({@code __launch_bounds__(1024)}, {@code .maxntid 1024} in the PTX): else a GPU refuses the launch when
     * the kernel needs more than 64 registers a thread, which no emulated run can show.
     */
    @Test
    void kernelsLaunchedWithWideBlocksAreBoundedForThem() throws IOException {
        for (String kernel : WIDE_KERNELS) {
            String ptx = "";
            int at = -1;
            for (String unit : JCudaDevice.PTX_UNITS) {
                try (InputStream in = PackagedPtxTest.class.getResourceAsStream(unit)) {
                    assertNotNull(in, "the jar packages no " + unit);
                    ptx = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                at = ptx.indexOf(".entry " + kernel + "(");
                if (at >= 0) {
                    break;
                }
            }
            org.junit.jupiter.api.Assertions.assertTrue(at >= 0, "no packaged PTX has a kernel " + kernel);
            int body = ptx.indexOf('{', at);
            org.junit.jupiter.api.Assertions.assertTrue(ptx.substring(at, body).contains(".maxntid 1024, 1, 1"),
                    kernel + " is launched with up to 1024 threads but not compiled for them (PARARNN_WIDE_BLOCK)");
        }
    }

    /**
     * The packaged PTX carries the lowest ISA version its instructions need (build-native.sh), not nvcc's own
     * (9.0 for CUDA 13): drivers of CUDA 11 and 12, still the most installed, must be able to JIT it.
     */
    @Test
    void thePackagedPtxNeedsNoNewerDriverThanItsInstructions() throws IOException {
        for (String unit : JCudaDevice.PTX_UNITS) {
            byte[] ptx;
            try (InputStream in = PackagedPtxTest.class.getResourceAsStream(unit)) {
                assertNotNull(in, "the jar packages no " + unit);
                ptx = in.readAllBytes();
            }
            String isa = JCudaDevice.isa(ptx);
            double v = Double.parseDouble(isa);
            org.junit.jupiter.api.Assertions.assertTrue(v >= 6.3 && v < 7.0, unit + " is PTX ISA " + isa + ", needing a driver for CUDA "
                    + JCudaDevice.cudaFor(isa));
        }
    }

    @Test
    void aModuleTheDriverRefusesIsExplainedWithTheVersionsOnBothSides() {
        String m = JCudaDevice.loadFailure("cells.ptx", "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "9.0", 12040, "ptxas fatal : Unsupported .version 9.0");
        assertEquals("loading the packaged cells.ptx (cuModuleLoadDataEx) failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION; the PTX is ISA 9.0, "
                + "which a driver for CUDA 13.0 or later JIT-compiles; this driver is for CUDA 12.4; JIT log: ptxas fatal : Unsupported "
                + ".version 9.0", m);
        assertEquals("10.0", JCudaDevice.cudaFor("6.3"));
        assertEquals("11.8", JCudaDevice.cudaFor("7.8"));
        assertEquals("12.0", JCudaDevice.cudaFor("8.0"));
    }

    /** ParaGRU's 4-step windowed Newton kernel is compiled for four 256-thread blocks an SM (64 registers, no spills). */
    @Test
    void theGruNewtonKernelIsBoundedForFourBlocksAnSm() throws IOException {
        String ptx;
        try (InputStream in = PackagedPtxTest.class.getResourceAsStream("cells.ptx")) {
            assertNotNull(in, "the jar packages no cells.ptx");
            ptx = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        int at = ptx.indexOf(".entry pararnn_gru_newton_c4(");
        String head = ptx.substring(at, ptx.indexOf('{', at));
        org.junit.jupiter.api.Assertions.assertTrue(head.contains(".maxntid 256, 1, 1") && head.contains(".minnctapersm 4"), head);
    }

    static final java.util.List<String> WIDE_KERNELS = java.util.List.of("pararnn_scan_k1", "pararnn_scan_k2", "pararnn_scan_k3",
            "pararnn_scan_reduce_k1", "pararnn_scan_reduce_k2", "pararnn_scan_reduce_k3", "pararnn_gru_newton_spread_reduce",
            "pararnn_gru_newton_spread_update", "pararnn_lstm_newton_spread_reduce", "pararnn_lstm_newton_spread_update",
            "pararnn_gru_adjoint_scan", "pararnn_lstm_adjoint_scan", "pararnn_gru_adjoint_spread_reduce", "pararnn_lstm_adjoint_spread_reduce");

    /** The PTX without nvcc's comment header (compiler build ids), from {@code .version} on. */
    static String code(String ptx) {
        int i = ptx.indexOf(".version");
        return i < 0 ? ptx : ptx.substring(i);
    }
}
