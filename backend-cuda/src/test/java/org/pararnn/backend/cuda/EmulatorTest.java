package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The emulator itself: warp collectives give the GPU's answers for full and partial warps, shared memory
 * is shared by a block's threads across a barrier, and misuse is refused rather than passing.
 */
class EmulatorTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    private static float[] run(String kernel, int threads) {
        try (EmulatedDevice d = new EmulatedDevice(); CudaDevice.Stream s = d.newStream()) {
            CudaDevice.Buffer out = s.alloc(threads * 8L);
            try {
                s.launch(kernel, new int[] {1, 1, 1}, new int[] {threads, 1, 1}, 0, new KernelArgs().pointer(out));
                float[] r = new float[threads * 8];
                s.download(out, 0, r, 0, r.length);
                s.sync();
                return r;
            } finally {
                s.free(out);
            }
        }
    }

    @Test
    void collectivesMatchTheGpusRulesForFullAndPartialWarps() {
        int threads = 40; // a full warp and a partial one of 8 lanes
        float[] r = run("pararnn_test_collectives", threads);
        for (int t = 0; t < threads; t++) {
            int lane = t % 32;
            int inWarp = Math.min(32, threads - (t - lane));
            String at = "thread " + t;
            assertEquals(lane >= 1 ? t - 1 : t, r[t * 8], at + " shfl_up");
            assertEquals(lane + 1 < inWarp ? t + 1 : t, r[t * 8 + 1], at + " shfl_down");
            assertEquals(t ^ 1, r[t * 8 + 2], at + " shfl_xor");
            assertEquals(t - lane, r[t * 8 + 3], at + " shfl_idx 0");
            long odd = 0;
            for (int l = 1; l < inWarp; l += 2) {
                odd |= 1L << l;
            }
            assertEquals((float) odd, r[t * 8 + 4], at + " ballot");
            assertEquals(t - lane + inWarp <= 64 ? 1f : 0f, r[t * 8 + 5], at + " all");
            assertEquals(inWarp > 3 ? 1f : 0f, r[t * 8 + 6], at + " any");
            assertEquals(((t + 1) % threads) * 10f, r[t * 8 + 7], at + " shared memory after a barrier");
        }
    }

    @Test
    void aBarrierSomeThreadsNeverReachIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run("pararnn_test_barrier_misuse", 64));
        assertTrue(e.getMessage().contains("__syncthreads") && e.getMessage().contains("reached by 59 of 64 threads")
                && e.getMessage().contains("5 exited"), e.getMessage());
    }

    @Test
    void aShuffleHalfTheMaskNeverCallsIsAnError() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run("pararnn_test_divergent_shuffle", 32));
        assertTrue(e.getMessage().contains("divergent warp collective"), e.getMessage());
    }

    @Test
    void aLaunchIsCountedByItsDeepestThreadAndItsDistinctSectors() {
        try (EmulatedDevice d = new EmulatedDevice(); CudaDevice.Stream s = d.newStream()) {
            CudaDevice.Buffer in = s.alloc(128);
            CudaDevice.Buffer out = s.alloc(128);
            try {
                KernelTally before = d.counts();
                s.launch("pararnn_test_counts", new int[] {2, 1, 1}, new int[] {64, 1, 1}, 0, new KernelArgs().pointer(in).pointer(out));
                KernelTally c = d.counts().since(before);
                // 3 barriers + 2 shuffles + 7 marked steps in the deepest thread, plus the launch; blocks side by side.
                assertEquals(new KernelTally(1, 13, 512, 512, 2), c);
                s.launch("pararnn_test_counts", new int[] {1, 1, 1}, new int[] {64, 1, 1}, 0, new KernelArgs().pointer(in).pointer(out));
                assertEquals(new KernelTally(2, 26, 768, 768, 2), d.counts().since(before), "launches add up");
            } finally {
                s.free(in);
                s.free(out);
            }
        }
    }

    @Test
    void badLaunchesAreRefusedWithTheReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run("no_such_kernel", 32));
        assertTrue(e.getMessage().contains("no kernel named no_such_kernel"), e.getMessage());
        IllegalStateException big = assertThrows(IllegalStateException.class, () -> run("pararnn_test_collectives", 1025));
        assertTrue(big.getMessage().contains("1 to 1024"), big.getMessage());
    }
}
