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

    /** The PTX without nvcc's comment header (compiler build ids), from {@code .version} on. */
    static String code(String ptx) {
        int i = ptx.indexOf(".version");
        return i < 0 ? ptx : ptx.substring(i);
    }
}
