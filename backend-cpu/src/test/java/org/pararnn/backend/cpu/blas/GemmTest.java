package org.pararnn.backend.cpu.blas;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.pararnn.api.ops.HostGemm;
import org.pararnn.api.spi.BackendOptions;
import org.junit.jupiter.api.Test;

/**
 * Both GEMM paths (Java loops, and real OpenBLAS through JavaCPP) against a float64 triple loop, for
 * every transpose combination, with offsets and padded leading dimensions, {@code alpha} and {@code beta};
 * relative L2 error ≤ 1e-6 (float32 accumulation over K ≤ 70 terms). Padding between rows of C must
 * survive untouched.
 */
class GemmTest {

    /** Products as this test JVM's options set them up (the build turns in place on), with {@code threshold}. */
    static Gemm withThreshold(long threshold) {
        return Gemm.of(BackendOptions.fromSystem().with(HostGemm.BLAS_THRESHOLD, threshold));
    }

    /** This test JVM's products. */
    private static Gemm configured() {
        return Gemm.of(BackendOptions.fromSystem());
    }

    @Test
    void openBlasLoadsHere() {
        assertNull(Gemm.blasUnavailableReason(), "OpenBLAS natives must load on this platform");
    }

    @Test
    void bothPathsMatchFloat64() {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            Gemm gemm = withThreshold(threshold);
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    for (float beta : new float[] {0f, 1f, 0.5f}) {
                        check(gemm, ta, tb, 37, 23, 70, 0.75f, beta, threshold == 0 ? "blas" : "java");
                    }
                }
            }
        }
    }

    @Test
    void openBlasRunsInPlaceExactlyWhenTheJarAndJvmAllowIt() {
        boolean expected = Boolean.getBoolean("pararnn.test.gemmInPlace") && Runtime.version().feature() >= 22;
        assertEquals(expected, configured().inPlaceNow(), configured().path());
    }

    /**
     * Where the JVM can ask (the jar on Java 22+, Failsafe's run): OpenBLAS names the kernels it runs, the
     * environment's {@code OPENBLAS_CORETYPE} when set, {@link Gemm#blasPath()} says which and where the
     * setting came from, and OpenBLAS was loaded with {@code OPENBLAS_THREAD_TIMEOUT} set (ours, 4, unless
     * the environment had one).
     */
    @Test
    void theHeaderNamesOpenBlasKernelsAndOpenBlasReadTheThreadTimeout() {
        assertNull(Gemm.blasUnavailableReason());
        String running = Gemm.blasKernels();
        String pinned = System.getenv(OpenBlasCoreType.ENVIRONMENT);
        String timeout = System.getenv("OPENBLAS_THREAD_TIMEOUT");
        if (Boolean.getBoolean("pararnn.test.gemmInPlace") && Runtime.version().feature() >= 22) {
            assertNotNull(running, "the Java 22+ build asks OpenBLAS for its kernels");
            assertTrue(configured().path().contains(running + " kernels"), configured().path());
            if (pinned != null && !pinned.isBlank()) {
                assertEquals(pinned.trim().toLowerCase(java.util.Locale.ROOT), running.toLowerCase(java.util.Locale.ROOT));
                assertTrue(configured().path().contains(OpenBlasCoreType.ENVIRONMENT + "=" + pinned.trim()), configured().path());
            }
            assertEquals(timeout != null ? timeout : "4", Gemm.nativeEnvironment("OPENBLAS_THREAD_TIMEOUT"));
        } else {
            assertNull(running, "the Java 21 build cannot ask");
            assertNull(Gemm.nativeEnvironment("OPENBLAS_THREAD_TIMEOUT"), "the Java 21 build cannot ask");
        }
    }

    /** Products large enough for OpenBLAS's blocked kernels (several panels along every dimension), against float64. */
    @Test
    void largeProductsMatchFloat64() {
        Gemm gemm = withThreshold(0);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                check(gemm, ta, tb, 301, 259, 263, 1f, 0.5f, "blas");
            }
        }
    }

    /**
     * A product that would touch memory outside its arrays, or that OpenBLAS would reject (it only prints
     * a complaint and returns), is refused before anything runs, on both paths, and C is left as it was.
     */
    @Test
    void malformedProductsAreRefusedBeforeRunning() {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            Gemm gemm = withThreshold(threshold);
            float[] a = new float[6 * 4];
            float[] b = new float[4 * 5];
            float[] c = new float[6 * 5];
            java.util.Arrays.fill(c, 7f);
            String[] whys = {
                thrown(() -> gemm.sgemm(false, false, 6, 5, 4, 1f, a, 0, 3, b, 0, 5, 0f, c, 0, 5)),
                thrown(() -> gemm.sgemm(false, true, 6, 5, 4, 1f, a, 0, 4, b, 0, 3, 0f, c, 0, 5)),
                thrown(() -> gemm.sgemm(false, false, 6, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 4)),
                thrown(() -> gemm.sgemm(false, false, 6, 5, 4, 1f, a, 0, 4, b, 0, 5, 0f, c, 1, 5)),
                thrown(() -> gemm.sgemm(false, false, 6, 5, 4, 1f, a, 1, 4, b, 0, 5, 0f, c, 0, 5)),
                thrown(() -> gemm.sgemm(true, false, 6, 5, 4, 1f, a, 1, 6, b, 0, 5, 0f, c, 0, 5)),
                thrown(() -> gemm.sgemm(false, false, 6, 5, -1, 1f, a, 0, 4, b, 0, 5, 0f, c, 0, 5)),
            };
            String[] expect = {"lda = 3", "ldb = 3", "ldc = 4", "operand C", "operand A", "operand A", "k=-1"};
            for (int i = 0; i < whys.length; i++) {
                assertTrue(whys[i].contains(expect[i]), "case " + i + ": " + whys[i]);
            }
            for (float v : c) {
                assertEquals(7f, v, "C was written by a refused product");
            }
        }
    }

    /** An empty inner dimension leaves {@code beta·C} (OpenBLAS would refuse its leading dimension of 0). */
    @Test
    void anEmptyInnerDimensionOnlyScalesC() {
        for (long threshold : new long[] {Long.MAX_VALUE, 0}) {
            Gemm gemm = withThreshold(threshold);
            float[] c = {1f, 2f, 3f, 4f};
            gemm.sgemm(false, false, 2, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0.5f, c, 0, 2);
            assertArrayEquals(new float[] {0.5f, 1f, 1.5f, 2f}, c);
        }
    }

    private static String thrown(org.junit.jupiter.api.function.Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    static void check(Gemm gemm, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, String path) {
        Random r = new Random(m * 31L + n + (ta ? 7 : 0) + (tb ? 13 : 0));
        int lda = (ta ? m : k) + 3;
        int ldb = (tb ? k : n) + 2;
        int ldc = n + 5;
        int aOff = 4, bOff = 6, cOff = 9;
        float[] a = new float[aOff + (ta ? k : m) * lda];
        float[] b = new float[bOff + (tb ? n : k) * ldb];
        float[] c = new float[cOff + m * ldc + 3];
        for (float[] arr : new float[][] {a, b, c}) {
            for (int i = 0; i < arr.length; i++) {
                arr[i] = (float) r.nextGaussian();
            }
        }
        float[] c0 = c.clone();
        gemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        double num = 0, den = 0;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                    double bv = tb ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                    acc += av * bv;
                }
                double want = alpha * acc + (beta == 0f ? 0 : beta * (double) c0[cOff + i * ldc + j]);
                double d = c[cOff + i * ldc + j] - want;
                num += d * d;
                den += want * want;
            }
            for (int j = n; j < ldc && cOff + i * ldc + j < c.length; j++) {
                assertEquals(c0[cOff + i * ldc + j], c[cOff + i * ldc + j], path + ": padding of C was written");
            }
        }
        for (int i = 0; i < cOff; i++) {
            assertEquals(c0[i], c[i], path + ": C before its offset was written");
        }
        double err = Math.sqrt(num / den);
        assertTrue(err <= 1e-6, path + " ta=" + ta + " tb=" + tb + " beta=" + beta + ": relative error " + err);
    }
}
