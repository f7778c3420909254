package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GPU script's timing table, run on the emulator at tiny shapes: every row measured, the table well formed. */
class ScanTimingTest {
    @Test
    void everyShapeWithinTheLimitIsMeasuredBesideItsFloor() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (CudaBackend b = (CudaBackend) new CudaEmulatedBackendProvider().create()) {
            List<ScanTiming.Row> rows = ScanTiming.run(b, new int[] {64, 512}, new int[] {1, 8}, 64 * 8,
                    new PrintStream(text, true, StandardCharsets.UTF_8));
            // 2 structures × 2 directions × the 3 shapes within 512 element-steps (512 × 8 is past the limit).
            assertEquals(12, rows.size());
            for (ScanTiming.Row r : rows) {
                assertTrue(r.kernelMs() > 0 && r.floorMs() > 0 && r.callMs() >= r.kernelMs() && r.windowedMs() > 0, r.toString());
                ScanPlan plan = ScanGeometry.EMULATED.plan(r.lanes(), r.steps(), ScanGeometry.EMULATED.chunk());
                assertEquals(plan.describe(), r.layout());
                int k = r.structure().equals("diagonal") ? 1 : 2;
                assertEquals(KernelCostModel.scanPhases(plan, k, r.steps()), r.counts().phases(), "the emulator's count of one call");
            }
        }
        String table = text.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| diagonal | forward | 2^6 | 1 |") && table.contains("| block-diagonal(2) | reverse | 2^9 | 1 |"), table);
    }

    @Test
    void usageErrorsAreOneLineNamingTheProblem() {
        assertEquals("not a whole number: \"abc\"", TimingOptions.usageError(assertThrowsIae(() -> TimingOptions.parse(
                new String[] {"--max-element-steps", "abc"}, 1))));
        assertEquals("the last option needs a value", TimingOptions.usageError(
                org.junit.jupiter.api.Assertions.assertThrows(ArrayIndexOutOfBoundsException.class,
                        () -> TimingOptions.parse(new String[] {"--backend"}, 1))));
        assertEquals("--backend must be cuda or cuda-emulated, got 'nope'", TimingOptions.usageError(assertThrowsIae(
                () -> TimingOptions.parse(new String[] {"--backend", "nope"}, 1))));
    }

    private static IllegalArgumentException assertThrowsIae(org.junit.jupiter.api.function.Executable e) {
        return org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, e);
    }
}
