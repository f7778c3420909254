package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.ScanProblem;
import org.pararnn.conformance.Float64Scan;
import org.pararnn.conformance.KitData;
import org.pararnn.conformance.Tolerances;

/**
 * The scan kernels on the emulator at shapes that reach every path of their launch geometry: sequences
 * shorter than one chunk, not a multiple of 32, exactly one block's span and several windows; one lane,
 * odd widths and lanes that do not fill a block; forward and reverse, in place, with a non-zero initial
 * state or carry, on an inner window. Blocks of 32 threads (several chunks per warp), the emulated default
 * and a GPU's 1024 threads; where few lanes spread time over blocks, one segment and a step either side and
 * many segments with a ragged last one; the GPU's own geometry at T = 2¹⁶ + 17 with one lane and with lanes
 * that fill it. Compared with float64 at the suite's bound, and nothing outside the window written.
 */
class ScanKernelTest {
    @BeforeEach
    void emulatorBuilt() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
    }

    /** Windowed only (small blocks, the emulated default, 1024 threads), the GPU's and the emulator's rule, and a rule that spreads small T. */
    static final ScanGeometry[] GEOMETRIES = {new ScanGeometry(32, 2), ScanGeometry.EMULATED, new ScanGeometry(1024, 1),
            ScanGeometry.GPU, new ScanGeometry(32, 2, 64, 8)};

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        JacobianStructure[] structures = {JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.blockDiagonal(3), JacobianStructure.blockDiagonal(4), JacobianStructure.dense()};
        for (JacobianStructure s : structures) {
            int k = s instanceof JacobianStructure.BlockDiagonal bd ? bd.blocks() : 1;
            for (ScanGeometry g : GEOMETRIES) {
                int span = g.threadsPerBlock() / g.lanesPerBlock(1) * g.chunk();
                // {batch, steps, width}: one lane; below one chunk; not a multiple of 32; one block's span; several windows.
                List<int[]> shapes = new ArrayList<>(List.of(new int[] {1, 1, k}, new int[] {1, g.chunk() - 1 > 0 ? g.chunk() - 1 : 1, k},
                        new int[] {2, 45, 3 * k}, new int[] {1, span, k}, new int[] {3, 2 * span + 17, 5 * k}, new int[] {1, 2, k}));
                // Where time is spread: one segment and one step either side, and many segments with a ragged last one.
                ScanPlan one = g.plan(1, 4 * span + 17, g.chunk());
                if (one.spread()) {
                    int seg = one.segmentSteps();
                    shapes.addAll(List.of(new int[] {1, seg - 1, k}, new int[] {1, seg, k}, new int[] {1, seg + 1, k},
                            new int[] {3, 7 * seg + 3, k}, new int[] {1, 13 * seg + 5, 3 * k}));
                }
                for (int[] sh : shapes) {
                    int width = s instanceof JacobianStructure.Dense ? 3 : sh[2];
                    out.add(Arguments.of(s, g, sh[0], Math.max(1, sh[1]), width));
                }
            }
        }
        return out.stream();
    }

    /** The GPU's geometry at the lengths parallel-in-time exists for: few lanes (time spread) and many (windowed). */
    static Stream<Arguments> longCases() {
        List<Arguments> out = new ArrayList<>();
        for (JacobianStructure s : new JacobianStructure[] {JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2)}) {
            int k = s instanceof JacobianStructure.BlockDiagonal bd ? bd.blocks() : 1;
            // {batch, steps, width in lanes}
            for (int[] sh : new int[][] {{1, (1 << 16) + 17, 1}, {3, 4099, 1}, {1, 8191, 64}, {2, 67, 8192}}) {
                out.add(Arguments.of(s, ScanGeometry.GPU, sh[0], sh[1], sh[2] * k));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} B={2} T={3} S={4}")
    @MethodSource("longCases")
    void longSequencesAtTheGpusGeometryMatchFloat64(JacobianStructure s, ScanGeometry g, int batch, int steps, int width) {
        forwardAndReverseMatchFloat64(s, g, batch, steps, width);
    }

    @ParameterizedTest(name = "{0} {1} B={2} T={3} S={4}")
    @MethodSource("cases")
    void forwardAndReverseMatchFloat64(JacobianStructure s, ScanGeometry g, int batch, int steps, int width) {
        try (Backend backend = new CudaEmulatedBackendProvider(g).create()) {
            int c = s.coefficientsPerStep(width);
            long seed = 31L * steps + width;
            // Coefficients of magnitude ~0.5 per entry: contractive, so errors do not grow with T.
            float[] a = KitData.gaussian(batch * steps * c, 0.5 / Math.max(1, c / width), seed);
            float[] b = KitData.gaussian(batch * steps * width, 1.0, seed + 1);
            float[] init = KitData.gaussian(batch * width, 1.0, seed + 2);
            int from = steps > 4 ? steps / 4 : 0;
            int to = steps > 4 ? steps - 2 : steps;
            double bound = Tolerances.scan(steps);
            for (boolean inPlace : new boolean[] {false, true}) {
                float[] bIn = b.clone();
                float[] out = inPlace ? bIn : filled(b.length, 7f);
                backend.scan().forward(new ScanProblem(s, batch, steps, width, from, to, a, bIn, init, out));
                double[] ref = Float64Scan.forward(s, batch, steps, width, from, to, a, b, init);
                check("forward" + (inPlace ? " in place" : ""), out, ref, b, inPlace ? b : null, 7f, batch, steps, width, from, to, bound);

                bIn = b.clone();
                out = inPlace ? bIn : filled(b.length, 7f);
                float[] carry = to < steps ? init : null;
                backend.scan().reverse(new ScanProblem(s, batch, steps, width, from, to, a, bIn, carry, out));
                ref = Float64Scan.reverse(s, batch, steps, width, from, to, a, b, carry);
                check("reverse" + (inPlace ? " in place" : ""), out, ref, b, inPlace ? b : null, 7f, batch, steps, width, from, to, bound);
            }
        }
    }

    private static float[] filled(int n, float v) {
        float[] x = new float[n];
        java.util.Arrays.fill(x, v);
        return x;
    }

    /** Inside the window: within the bound of float64; outside: untouched (the sentinel, or b when in place). */
    private static void check(String what, float[] out, double[] ref, float[] b, float[] outsideWas, float sentinel, int batch,
                              int steps, int width, int from, int to, double bound) {
        float[] inside = new float[batch * (to - from) * width];
        double[] refInside = new double[inside.length];
        int n = 0;
        for (int bi = 0; bi < batch; bi++) {
            for (int t = 0; t < steps; t++) {
                for (int i = 0; i < width; i++) {
                    int idx = (bi * steps + t) * width + i;
                    if (t >= from && t < to) {
                        inside[n] = out[idx];
                        refInside[n++] = ref[idx];
                    } else {
                        float expected = outsideWas != null ? outsideWas[idx] : sentinel;
                        assertEquals(expected, out[idx], what + ": wrote outside the window at b=" + bi + " t=" + t);
                    }
                }
            }
        }
        double err = KitData.relError(inside, refInside);
        assertTrue(err <= bound, what + ": relative error " + err + " > " + bound);
    }
}
