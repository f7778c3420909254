package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.spi.ScanProblem;

/**
 * Kernel time of the scans on a CUDA device beside the device's own memory floor, measured in one run:
 * per structure and direction, over sequence lengths and lane counts (batch × features), the best of a
 * few calls' kernel time by CUDA events for the layout the backend chooses and for the windowed one (one
 * block per lane group walking windows of time), next to a device-to-device copy moving the same bytes (a diagonal
 * scan reads A and b and writes h: 12 B per element-step; 2×2 reads 4 + 2 and writes 2 floats per lane-step).
 * Prints a Markdown table. Speed is claimed from this, never from tests.
 *
 * <pre>
 * java -cp … org.pararnn.backend.cuda.ScanTiming [--backend cuda|cuda-emulated] [--max-element-steps N] [--quick]
 * </pre>
 */
public final class ScanTiming {
    private ScanTiming() {
    }

    /** One measured shape. */
    record Row(String structure, boolean reverse, int steps, int lanes, double kernelMs, double floorMs, double callMs,
               double windowedMs, String layout, KernelTally counts) {
        String markdown() {
            double elementSteps = (double) steps * lanes;
            String counted = counts == null ? "- | -" : String.format(Locale.ROOT, "%d | %.2f", counts.phases(), counts.bytes() / elementSteps);
            return String.format(Locale.ROOT, "| %s | %s | 2^%d | %d | %s | %.4f | %.4f | %.3gx | %.4f | %.0f %% | %.1f | %.3f | %s |", structure,
                    reverse ? "reverse" : "forward", Integer.numberOfTrailingZeros(steps), lanes, layout, kernelMs, windowedMs,
                    windowedMs / kernelMs, floorMs, 100 * floorMs / kernelMs, elementSteps / (kernelMs * 1e6), callMs, counted);
        }
    }

    public static void main(String[] args) {
        TimingOptions o = TimingOptions.parseOrExit(args, 1L << 30);
        boolean quick = o.quick();
        int[] steps = quick ? new int[] {1 << 9, 1 << 12} : new int[] {1 << 9, 1 << 12, 1 << 16, 1 << 20};
        int[] lanes = quick ? new int[] {1, 1 << 5} : new int[] {1, 1 << 9, 1 << 14};
        try (CudaBackend b = o.open()) {
            run(b, steps, lanes, o.maxElementSteps(), System.out);
        }
    }

    static List<Row> run(CudaBackend backend, int[] stepsList, int[] lanesList, long maxElementSteps, PrintStream out) {
        out.println("device: " + backend.device());
        out.println();
        out.println("| structure | direction | T | lanes (B·S) | layout chosen | kernel ms | windowed layout ms | windowed / chosen "
                + "| copy floor ms | floor / kernel | G element-steps/s | whole call ms | dependent phases (emulator) | B / element-step (emulator) |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<Row> rows = new ArrayList<>();
        for (JacobianStructure s : new JacobianStructure[] {JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2)}) {
            int k = s instanceof JacobianStructure.BlockDiagonal bd ? bd.blocks() : 1;
            for (int steps : stepsList) {
                for (int lanes : lanesList) {
                    long elementSteps = (long) steps * lanes;
                    long coefficients = elementSteps * k * k;
                    if (elementSteps > maxElementSteps || coefficients > Integer.MAX_VALUE - 8) {
                        continue;
                    }
                    Problem data = new Problem(s, k, steps, lanes);
                    for (boolean reverse : new boolean[] {false, true}) {
                        Row r = measure(backend, data, reverse);
                        rows.add(r);
                        out.println(r.markdown());
                        out.flush();
                    }
                }
            }
        }
        return rows;
    }

    /** One batch row of {@code lanes} features (contiguous, as the batch-major layout has them), values in (−0.5, 0.5). */
    record Problem(JacobianStructure structure, int k, int steps, int lanes, ScanProblem problem) {
        Problem(JacobianStructure structure, int k, int steps, int lanes) {
            this(structure, k, steps, lanes, make(structure, k, steps, lanes));
        }

        private static ScanProblem make(JacobianStructure s, int k, int steps, int lanes) {
            int width = lanes * k;
            float[] a = fill(new float[steps * s.coefficientsPerStep(width)], steps * 31L + lanes);
            float[] b = fill(new float[steps * width], steps * 17L + lanes);
            return ScanProblem.whole(s, 1, steps, width, a, b, null, new float[b.length]);
        }

        /** A cheap congruential fill: billions of values in seconds, not minutes. */
        private static float[] fill(float[] x, long seed) {
            long v = seed * 0x9E3779B97F4A7C15L;
            for (int i = 0; i < x.length; i++) {
                v = v * 6364136223846793005L + 1442695040888963407L;
                x[i] = ((v >>> 40) / (float) (1 << 24)) - 0.5f;
            }
            return x;
        }
    }

    private static Row measure(CudaBackend backend, Problem data, boolean reverse) {
        ScanProblem p = data.problem();
        int k = data.k();
        int steps = data.steps();
        int lanes = data.lanes();
        KernelTally before = backend.counts();
        double[] chosen = best(backend, backend.scan(), p, reverse);
        // Counts of one call (best() makes four), where the device counts them.
        KernelTally counts = before == null ? null : divide(backend.counts().since(before), 4);
        double[] windowed = best(backend, backend.scan(backend.geometry().windowedOnly()), p, reverse);
        String layout = backend.geometry().plan(lanes, steps, backend.geometry().chunk()).describe();
        // Bytes the kernel must move: A (k² floats per lane-step), b in and h out (k each).
        long floats = (long) steps * lanes * (k * k + 2L * k);
        double floor = backend.copyNanos((floats + 1) / 2) / 1e6; // a copy reads and writes: half the floats each way
        return new Row(data.structure().describe(), reverse, steps, lanes, chosen[0], floor, chosen[1], windowed[0], layout, counts);
    }

    private static KernelTally divide(KernelTally c, int calls) {
        return new KernelTally(c.launches() / calls, c.phases() / calls, c.bytesRead() / calls, c.bytesWritten() / calls, c.mostBlocks());
    }

    /** The best kernel time and whole-call time (ms) of three calls after one that compiles and allocates. */
    private static double[] best(CudaBackend backend, org.pararnn.api.spi.LinearScan scan, ScanProblem p, boolean reverse) {
        double best = Double.MAX_VALUE;
        double bestCall = Double.MAX_VALUE;
        for (int rep = 0; rep < 4; rep++) {
            long k0 = backend.kernelNanos();
            long t0 = System.nanoTime();
            if (reverse) {
                scan.reverse(p);
            } else {
                scan.forward(p);
            }
            long call = System.nanoTime() - t0;
            long kernel = backend.kernelNanos() - k0;
            if (rep > 0) {
                best = Math.min(best, kernel / 1e6);
                bestCall = Math.min(bestCall, call / 1e6);
            }
        }
        return new double[] {best, bestCall};
    }
}
