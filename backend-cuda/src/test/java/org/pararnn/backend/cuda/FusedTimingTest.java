package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GPU script's fused-kernel table, run on the emulator at tiny shapes: every row measured, the table well formed. */
class FusedTimingTest {
    @Test
    void everyShapeWithinTheLimitIsMeasuredForBothCellsBesideItsFloor() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (CudaBackend b = (CudaBackend) new CudaEmulatedBackendProvider().create()) {
            List<FusedTiming.Row> rows = FusedTiming.run(b, new int[] {64, 512}, new int[] {1, 8}, 64 * 8,
                    new PrintStream(text, true, StandardCharsets.UTF_8));
            // 2 cells × the 3 shapes within 512 element-steps (512 × 8 is past the limit).
            assertEquals(6, rows.size());
            for (FusedTiming.Row r : rows) {
                assertTrue(r.seqFwd() > 0 && r.newtonFwd() > 0 && r.seqBoth() > r.seqFwd() && r.newtonBoth() > r.newtonFwd()
                        && r.floor() > 0 && r.iterations() >= 1 && r.newtonCall() >= r.newtonFwd() && r.genericCall() > 0, r.toString());
                assertEquals("walk", r.auto(), "the emulator's AUTO walks time: " + r);
            }
        }
        String table = text.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| ParaGRU | 2^6 | 1 |") && table.contains("| ParaLSTM | 2^9 | 1 |"), table);
    }
}
