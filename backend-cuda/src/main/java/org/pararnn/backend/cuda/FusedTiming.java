package org.pararnn.backend.cuda;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonSolver;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * The fused ParaGRU / ParaLSTM kernels on a CUDA device, side by side in one run: per cell, sequence length
 * and lane count (batch × features), the kernel time by CUDA events of the sequential walk and of Newton in
 * time (forward, with its iterations, in the layout the backend chooses and in the windowed one; forward +
 * backward, the backward being the reverse walk or the
 * reverse scan), beside the device's copy floor for the forward's bytes (ParaGRU reads u, 12 B, and writes
 * h, 4 B, per element-step; ParaLSTM writes c and h, 20 B) and the whole-call time of Newton in time
 * against the generic PARALLEL mode (Newton over the CUDA scan with the cell evaluated on the host), and
 * what AUTO picks. Prints a Markdown table; speed is claimed from this, never from tests. The cells come
 * from the cells module's jar on the class path, found at run time: a backend never compiles against them
 * (docs/design.md §3).
 *
 * <pre>
 * java -cp … org.pararnn.backend.cuda.FusedTiming [--backend cuda|cuda-emulated] [--max-element-steps N] [--quick]
 * </pre>
 */
public final class FusedTiming {
    /** The generic mode moves every Jacobian across the bus and evaluates on the host: only small shapes. */
    private static final long GENERIC_MAX_ELEMENT_STEPS = 1L << 22;

    private FusedTiming() {
    }

    /** One measured shape; times in ms, NaN where not measured. */
    record Row(String cell, int steps, int lanes, double seqFwd, double newtonFwd, int iterations, double seqBoth,
               double newtonBoth, double floor, double newtonCall, double genericCall, String auto, double windowedFwd,
               String layout) {
        String markdown() {
            return String.format(Locale.ROOT, "| %s | 2^%d | %d | %s | %.4f | %.4f (%d it) | %.4f | %.3gx | %.4f | %.4f | %.3gx | %.4f | %.0f %% | %s | %s |",
                    cell, Integer.numberOfTrailingZeros(steps), lanes, layout, seqFwd, newtonFwd, iterations, windowedFwd, seqFwd / newtonFwd,
                    seqBoth, newtonBoth, seqBoth / newtonBoth, floor, 100 * floor / Math.min(seqFwd, newtonFwd),
                    Double.isNaN(genericCall) ? "-" : String.format(Locale.ROOT, "%.2f / %.2f = %.3gx", genericCall, newtonCall,
                            genericCall / newtonCall), auto);
        }
    }

    public static void main(String[] args) {
        TimingOptions o = TimingOptions.parseOrExit(args, 1L << 26);
        boolean quick = o.quick();
        int[] steps = quick ? new int[] {1 << 9, 1 << 12} : new int[] {1 << 9, 1 << 12, 1 << 16};
        int[] lanes = quick ? new int[] {1, 1 << 5} : new int[] {1, 1 << 6, 1 << 9, 1 << 14};
        try (CudaBackend b = o.open()) {
            run(b, steps, lanes, o.maxElementSteps(), System.out);
        }
    }

    static List<Row> run(CudaBackend backend, int[] stepsList, int[] lanesList, long maxElementSteps, PrintStream out) {
        out.println("device: " + backend.device());
        out.println();
        out.println("| cell | T | lanes (B·D) | layout chosen | walk fwd ms | Newton fwd ms | Newton fwd, windowed layout ms | walk / Newton "
                + "| walk fwd+bwd ms | in-time fwd+bwd ms | walk / in-time | copy floor ms | floor / best fwd "
                + "| generic PARALLEL / fused Newton, whole call ms | AUTO |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<Row> rows = new ArrayList<>();
        for (String kind : new String[] {"ParaGRU", "ParaLSTM"}) {
            for (int steps : stepsList) {
                for (int lanes : lanesList) {
                    if ((long) steps * lanes > maxElementSteps) {
                        continue;
                    }
                    Row r = measure(backend, kind, steps, lanes);
                    rows.add(r);
                    out.println(r.markdown());
                    out.flush();
                }
            }
        }
        return rows;
    }

    /** Best kernel time (ms) and whole-call time of a few calls after a first one that compiles and allocates. */
    private record Timed(double kernelMs, double callMs, SolveReport report) {
    }

    private interface Call {
        SolveReport run();
    }

    private static Timed time(CudaBackend backend, int reps, Call call) {
        double best = Double.MAX_VALUE;
        double bestCall = Double.MAX_VALUE;
        SolveReport last = null;
        for (int rep = 0; rep <= reps; rep++) {
            long k0 = backend.kernelNanos();
            long t0 = System.nanoTime();
            last = call.run();
            long wall = System.nanoTime() - t0;
            long kernel = backend.kernelNanos() - k0;
            if (rep > 0) {
                best = Math.min(best, kernel / 1e6);
                bestCall = Math.min(bestCall, wall / 1e6);
            }
        }
        return new Timed(best, bestCall, last);
    }

    private static Row measure(CudaBackend backend, String kind, int steps, int lanes) {
        int width = Math.min(lanes, 64);
        int batch = lanes / width;
        Cell cell = cell(kind, width);
        FusableCell fusable = FusableCell.of(cell).orElseThrow();
        float[] u = fill(new float[batch * steps * cell.projectedWidth()], steps * 31L + lanes);
        Recurrence p = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        float[] states = new float[p.stateElements()];
        float[] gy = fill(new float[p.stateElements()], steps * 17L + lanes);
        float[] gradU = new float[u.length];
        int reps = 3;
        CudaFusedSolver walk = backend.fused(fusable, FusedStrategy.SEQUENTIAL);
        CudaFusedSolver newton = backend.fused(fusable, FusedStrategy.NEWTON);
        Timed walkFwd = time(backend, reps, () -> walk.forward(p, states));
        Timed walkBwd = time(backend, reps, () -> walk.backward(p, states, gy, gradU, Gradients.of(cell), null));
        Timed newtonFwd = time(backend, reps, () -> newton.forward(p, states));
        CudaFusedSolver windowed = backend.fused(fusable, FusedStrategy.NEWTON, backend.geometry().windowedOnly());
        Timed windowedFwd = time(backend, reps, () -> windowed.forward(p, states));
        int maxChunk = kind.equals("ParaGRU") ? CudaFusedSolver.MAX_GRU_NEWTON_CHUNK : CudaFusedSolver.MAX_LSTM_NEWTON_CHUNK;
        String layout = backend.geometry().plan((long) batch * width, steps, maxChunk).describe();
        Timed newtonBwd = time(backend, reps, () -> newton.backward(p, states, gy, gradU, Gradients.of(cell), null));
        double generic = Double.NaN;
        if ((long) steps * lanes <= GENERIC_MAX_ELEMENT_STEPS) {
            RecurrenceSolver parallel = new NewtonSolver(backend);
            generic = time(backend, reps, () -> parallel.forward(p, states)).callMs();
        }
        long floats = (long) steps * lanes * (3 + cell.stateWidth() / width);
        double floor = backend.copyNanos((floats + 1) / 2) / 1e6; // a copy reads and writes: half the floats each way
        String auto = backend.fused(fusable, FusedStrategy.AUTO).inTimeReason(batch, steps) != null ? "Newton" : "walk";
        return new Row(kind, steps, lanes, walkFwd.kernelMs(), newtonFwd.kernelMs(), newtonFwd.report().iterations(),
                walkFwd.kernelMs() + walkBwd.kernelMs(), newtonFwd.kernelMs() + newtonBwd.kernelMs(), floor,
                newtonFwd.callMs(), generic, auto, windowedFwd.kernelMs(), layout);
    }

    /** {@code org.pararnn.cells.<kind>.create(8 inputs, width, 1 head, seed 7)}, from the class path. */
    static Cell cell(String kind, int width) {
        try {
            return (Cell) Class.forName("org.pararnn.cells." + kind).getMethod("create", int.class, int.class, int.class, long.class)
                    .invoke(null, 8, width, 1, 7L);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the timings need the cells module (cells-gru-lstm) on the class path: " + e, e);
        }
    }

    /** Values in (−2, 2): gates that neither saturate nor sit at zero. */
    static float[] fill(float[] x, long seed) {
        long v = seed * 0x9E3779B97F4A7C15L;
        for (int i = 0; i < x.length; i++) {
            v = v * 6364136223846793005L + 1442695040888963407L;
            x[i] = 4 * (((v >>> 40) / (float) (1 << 24)) - 0.5f);
        }
        return x;
    }
}
