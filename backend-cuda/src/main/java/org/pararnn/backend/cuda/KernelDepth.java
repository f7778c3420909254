package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.pararnn.api.Cell;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.ScanProblem;

/**
 * How deep and how heavy the CUDA kernels are, counted by the emulator (docs/design.md §7): per computation
 * and shape, the dependent phases on the critical path, the launches, the most blocks one launch spreads
 * over, and the distinct global bytes read and written per element-step, for the GPU's geometry as the
 * backend chooses it and for the windowed layout every shape had before geometry was chosen by shape
 * (one block per 32 lanes walking windows of time in order). Runs on {@code cuda-emulated} with the GPU's
 * block shapes, so no GPU is needed; prints a Markdown table.
 *
 * <pre>
 * java -cp … org.pararnn.backend.cuda.KernelDepth [--steps T] [--lanes 1,64,512] [--bytes-lanes 16384] [--bytes-steps 1024]
 * java -cp … org.pararnn.backend.cuda.KernelDepth --auto    (AUTO's choice on a GPU per shape, from KernelCostModel; no emulation)
 * </pre>
 */
public final class KernelDepth {
    private KernelDepth() {
    }

    /** One counted run. */
    record Row(String computation, long lanes, int steps, String layout, KernelTally counts, int iterations) {
        double bytesPerElementStep() {
            return (double) counts.bytes() / ((double) lanes * steps);
        }

        String markdown() {
            String perIteration = iterations > 0 ? String.format(Locale.ROOT, "%d (%.0f per iteration)", iterations,
                    (double) counts.phases() / iterations) : "-";
            return String.format(Locale.ROOT, "| %s | %d | %d | %s | %d | %d | %d | %s | %.2f |", computation, lanes, steps, layout,
                    counts.launches(), counts.mostBlocks(), counts.phases(), perIteration, bytesPerElementStep());
        }
    }

    public static void main(String[] args) {
        int steps = 1 << 16;
        long[] lanes = {1, 64, 512};
        int bytesLanes = 1 << 14;
        int bytesSteps = 1 << 10;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--steps" -> steps = Integer.parseInt(args[++i]);
                    case "--lanes" -> lanes = java.util.Arrays.stream(args[++i].split(",")).mapToLong(Long::parseLong).toArray();
                    case "--bytes-lanes" -> bytesLanes = Integer.parseInt(args[++i]);
                    case "--bytes-steps" -> bytesSteps = Integer.parseInt(args[++i]);
                    case "--auto" -> {
                        autoTable(System.out);
                        return;
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i]
                            + "'; options: --steps T, --lanes L1,L2,..., --bytes-lanes N, --bytes-steps T, --auto");
                }
            }
            if (steps < 1 || bytesLanes < 1 || bytesSteps < 1 || java.util.Arrays.stream(lanes).anyMatch(l -> l < 1)) {
                throw new IllegalArgumentException("--steps, --lanes, --bytes-lanes and --bytes-steps must be at least 1");
            }
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            System.err.println("error: KernelDepth: " + TimingOptions.usageError(e));
            System.exit(2);
        }
        String why = EmulatedDevice.unavailableReason();
        if (why != null) {
            System.err.println("error: the emulated kernels cannot run here: " + why);
            System.exit(1);
        }
        List<long[]> shapes = new ArrayList<>();
        for (long l : lanes) {
            shapes.add(new long[] {l, steps});
        }
        shapes.add(new long[] {bytesLanes, bytesSteps});
        run(shapes, System.out);
    }

    /** AUTO's choice on a GPU for a fused ParaGRU / ParaLSTM forward + backward, per shape, with the predicted times. */
    static void autoTable(PrintStream out) {
        out.println("| cell | lanes (B·D) | T | walk us | in time us | layout in time (forward) | AUTO |");
        out.println("|---|---|---|---|---|---|---|");
        for (boolean lstm : new boolean[] {false, true}) {
            for (long lanes : new long[] {1, 64, 512, 4096, 16384, 65536}) {
                for (int steps : new int[] {256, 1024, 4096, 65536}) {
                    KernelCostModel.Cost walk = KernelCostModel.walk(lstm, lanes, steps);
                    KernelCostModel.Cost inTime = KernelCostModel.inTime(ScanGeometry.GPU, lstm, lanes, steps,
                            KernelCostModel.ASSUMED_ITERATIONS);
                    ScanPlan p = ScanGeometry.GPU.plan(lanes, steps,
                            lstm ? CudaFusedSolver.MAX_LSTM_NEWTON_CHUNK : CudaFusedSolver.MAX_GRU_NEWTON_CHUNK);
                    out.println(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f | %s | %s |", lstm ? "ParaLSTM" : "ParaGRU", lanes,
                            steps, walk.nanos() / 1e3, inTime.nanos() / 1e3, p.spread() ? "spread" : "windowed",
                            inTime.nanos() < walk.nanos() ? "in time" : "walk"));
                }
            }
        }
    }

    /** The layouts compared: the backend's choice on a GPU, and every shape windowed as before. */
    static final String[] LAYOUTS = {"windowed (before)", "chosen by shape"};

    static List<Row> run(List<long[]> shapes, PrintStream out) {
        out.println("| computation | lanes (B·D) | T | layout | launches | most blocks | dependent phases | Newton iterations | B / element-step |");
        out.println("|---|---|---|---|---|---|---|---|---|");
        List<Row> rows = new ArrayList<>();
        for (String computation : new String[] {"diagonal scan", "ParaGRU Newton forward", "ParaGRU backward (reverse scan)",
                "ParaLSTM Newton forward"}) {
            for (long[] shape : shapes) {
                for (String layout : LAYOUTS) {
                    ScanGeometry g = layout.equals(LAYOUTS[0]) ? ScanGeometry.GPU.windowedOnly() : ScanGeometry.GPU;
                    try (CudaBackend backend = new CudaBackend(CudaEmulatedBackendProvider.NAME, new EmulatedDevice(), g, FusedStrategy.NEWTON)) {
                        Row r = count(backend, computation, shape[0], (int) shape[1], layout);
                        rows.add(r);
                        out.println(r.markdown());
                        out.flush();
                    }
                }
            }
        }
        return rows;
    }

    static Row count(CudaBackend backend, String computation, long lanes, int steps, String layout) {
        if (computation.equals("diagonal scan")) {
            ScanProblem p = new ScanTiming.Problem(JacobianStructure.diagonal(), 1, steps, Math.toIntExact(lanes)).problem();
            KernelTally before = backend.counts();
            backend.scan().forward(p);
            return new Row(computation, lanes, steps, layout, backend.counts().since(before), 0);
        }
        int width = (int) Math.min(lanes, 64);
        int batch = Math.toIntExact(lanes / width);
        Cell cell = FusedTiming.cell(computation.startsWith("ParaGRU") ? "ParaGRU" : "ParaLSTM", width);
        FusableCell fusable = FusableCell.of(cell).orElseThrow();
        float[] u = FusedTiming.fill(new float[batch * steps * cell.projectedWidth()], steps * 31L + lanes);
        Recurrence p = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        float[] states = new float[p.stateElements()];
        CudaFusedSolver solver = backend.fused(fusable, FusedStrategy.NEWTON);
        KernelTally before = backend.counts();
        SolveReport r = solver.forward(p, states);
        if (!r.converged()) {
            throw new IllegalStateException(computation + " at " + lanes + " lanes, T = " + steps + " did not converge: " + r);
        }
        if (computation.contains("backward")) {
            float[] gy = FusedTiming.fill(new float[p.stateElements()], steps * 17L + lanes);
            before = backend.counts();
            solver.backward(p, states, gy, new float[u.length], org.pararnn.api.Gradients.of(cell), null);
            return new Row(computation, lanes, steps, layout, backend.counts().since(before), 0);
        }
        return new Row(computation, lanes, steps, layout, backend.counts().since(before), r.iterations());
    }
}
