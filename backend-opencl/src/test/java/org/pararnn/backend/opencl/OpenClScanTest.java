package org.pararnn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aparapi.Kernel;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.Probe;
import org.pararnn.api.spi.ScanProblem;
import org.pararnn.conformance.Float64Scan;
import org.pararnn.conformance.KitData;

/**
 * What the shared suite cannot see on this backend: its scan cases are strongly contractive, so a
 * chunk's transfer product all but vanishes and a wrong carry barely shows. Here every coefficient
 * is close to the identity (|a| ∈ [0.97, 1)), so each chunk boundary carries real weight, and every
 * structure is solved with as many chunks as the sequence allows, forward and reverse.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpenClScanTest {
    /**
     * Float32 against float64 with slowly decaying coefficients: rounding accumulates over the ~1/(1−|a|)
     * steps a value persists (≈ 33 here), far fewer than T; 2e-5 is ~150 ulp of relative L2 error.
     */
    static final double TOLERANCE = 2e-5;

    private OpenClBackend backend;

    @BeforeAll
    void start() {
        OpenClBackendProvider provider = new OpenClBackendProvider(FusedStrategy.NEWTON, ChunkedScanKernel.MAX_CHUNKS);
        Probe probe = provider.probe();
        assumeTrue(probe.available(), () -> "opencl unavailable here: " + probe.reason());
        backend = (OpenClBackend) provider.create();
    }

    @AfterAll
    void stop() {
        if (backend != null) {
            backend.close();
        }
    }

    /** Near-identity coefficients of either sign on the diagonal, small couplings off it. */
    static float[] persistent(JacobianStructure st, int batch, int steps, int width, long seed) {
        int kb = OpenClScan.coupled(st, width);
        int m = width / kb;
        float[] a = KitData.gaussian(batch * steps * st.coefficientsPerStep(width), 1, seed);
        int per = kb * kb * m;
        for (int i = 0; i < a.length; i++) {
            int e = (i % per) / m;
            boolean diagonal = e / kb == e % kb;
            a[i] = diagonal ? Math.copySign(0.97f + 0.03f * (float) Math.abs(Math.tanh(a[i])) - 1e-4f, a[i])
                    : 0.01f * a[i] / kb;
        }
        return a;
    }

    @Test
    void chunkCarriesAreExactForEveryStructure() {
        for (JacobianStructure st : List.of(JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.blockDiagonal(3), JacobianStructure.blockDiagonal(5), JacobianStructure.dense())) {
            int width = st instanceof JacobianStructure.Dense ? 6 : 30;
            for (int batch : new int[] {1, 3}) {
                int steps = 3001;
                float[] a = persistent(st, batch, steps, width, 11 + batch);
                float[] b = KitData.gaussian(batch * steps * width, 1, 12);
                float[] init = KitData.gaussian(batch * width, 1, 13);
                float[] out = new float[b.length];
                backend.scan().forward(ScanProblem.whole(st, batch, steps, width, a, b, init, out));
                double e = KitData.relError(out, Float64Scan.forward(st, batch, steps, width, 0, steps, a, b, init));
                assertTrue(e <= TOLERANCE, String.format(Locale.ROOT, "forward %s B=%d: %.3e", st.describe(), batch, e));
                backend.scan().reverse(ScanProblem.whole(st, batch, steps, width, a, b, null, out));
                e = KitData.relError(out, Float64Scan.reverse(st, batch, steps, width, 0, steps, a, b, null));
                assertTrue(e <= TOLERANCE, String.format(Locale.ROOT, "reverse %s B=%d: %.3e", st.describe(), batch, e));
            }
        }
    }

    /** A kernel Aparapi cannot translate must fail loudly, never run on Java threads. */
    @Test
    void aKernelThatCannotRunOnTheDeviceIsAnErrorNotAFallback() {
        OpenClDevices.Choice choice = OpenClDevices.choose();
        DeviceKernel<Untranslatable> k = new DeviceKernel<>(new Untranslatable(), choice.device());
        OpenClException e = assertThrows(OpenClException.class, () -> k.launch(8, 8));
        assertTrue(e.getMessage().contains("Untranslatable") && e.getMessage().contains("never falls back"), e.getMessage());
        assertEquals(0f, k.kernel().out[0], "the kernel body must not have run anywhere");
        k.dispose();
    }

    /** Calls through an interface: Aparapi cannot translate that to OpenCL C. */
    static final class Untranslatable extends Kernel {
        final float[] out = new float[8];
        final List<Float> boxed = List.of(1f);

        @Override
        public void run() {
            out[getGlobalId()] = boxed.size();
        }
    }
}
