package org.pararnn.backend.cuda;

import java.util.Locale;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonFailure;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * ParaGRU and ParaLSTM in fused kernels ({@code cells.cu}). Sequential in time: the forward walks time in
 * one kernel, one thread per (batch row, feature), and the adjoint walks it back in another that also
 * writes {@code ∂L/∂u}, {@code ∂L/∂h0} and per-lane partial sums of the recurrent weights' gradients, which
 * are added here in a fixed order (the same bits on every run). In time, when the strategy says so
 * ({@code -Dpararnn.cuda.fused}, AUTO by shape): the forward is Newton's method in one fused kernel
 * (windowed, residual-checked, with the fallback on the device) and the adjoint one reverse scan with J
 * recomputed from the saved states. Each report states the bytes moved each way and the kernel time.
 */
final class CudaFusedSolver implements RecurrenceSolver {
    private static final int THREADS = 128;

    /**
     * Newton in time keeps a thread's steps and their inputs in registers: at most this many, and kernels
     * sized for 4 steps or for the most (cells.cu's PARARNN_NEWTON_KERNEL), the smallest that holds the chunk.
     */
    static final int MAX_GRU_NEWTON_CHUNK = 16;
    static final int MAX_LSTM_NEWTON_CHUNK = 8;
    private static final int SMALL_NEWTON_CHUNK = 4;
    private static final int NEWTON_STATS = 4;

    private final CudaBackend backend;
    private final FusedStrategy strategy;
    private final ScanGeometry geometry;
    private final FusableCell cell;
    private final boolean lstm;
    private final int d;

    CudaFusedSolver(CudaBackend backend, FusableCell cell, FusedStrategy strategy, ScanGeometry geometry) {
        this.backend = backend;
        this.strategy = strategy;
        this.geometry = geometry;
        this.cell = cell;
        this.lstm = cell.kind() == FusableCell.Kind.PARALSTM;
        this.d = cell.features();
    }

    private String label() {
        return lstm ? "ParaLSTM" : "ParaGRU";
    }

    private int[] grid(int batch) {
        long lanes = (long) batch * d;
        return new int[] {Math.toIntExact((lanes + THREADS - 1) / THREADS), 1, 1};
    }

    /**
     * Why this solve runs in time (forward by Newton, backward by a reverse scan), or null to walk time:
     * forced, or AUTO's rule on a GPU — the lanes (batch × features) fill under a quarter of 2¹⁴ threads and
     * the sequence is long enough for several windows (a rule of design, not yet measured on a GPU). The
     * emulator's AUTO keeps the walk.
     */
    String inTimeReason(int batch, int steps) {
        long lanes = (long) batch * d;
        return switch (strategy) {
            case NEWTON -> "forced by -D" + CudaBackend.FUSED_PROPERTY;
            case SEQUENTIAL -> null;
            case AUTO -> backend.name().equals(CudaBackendProvider.NAME) && lanes <= (1 << 12) && steps >= (1 << 10)
                    ? "AUTO: " + lanes + " lanes leave the GPU mostly idle in a sequential walk of " + steps + " steps"
                    : null;
        };
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        String inTime = inTimeReason(p.batch(), p.steps());
        if (inTime != null) {
            return newtonForward(p, states, inTime);
        }
        long t0 = System.nanoTime();
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            Call call = new Call(lane, p);
            CudaDevice.Stream s = call.stream;
            CudaDevice.Buffer out = lane.buffer("states", states.length);
            KernelArgs args = call.weights().pointer(call.u).pointer(call.init).pointer(out)
                    .integer(p.batch()).integer(p.steps()).integer(d);
            s.launch(lstm ? "pararnn_lstm_sequential" : "pararnn_gru_sequential", grid(p.batch()), new int[] {THREADS, 1, 1}, 0, args);
            s.download(out, 0, states, 0, states.length);
            s.sync();
            String detail = String.format(Locale.ROOT, "fused %s on %s, sequential in time, one thread per (batch, feature) "
                    + "over %d x %d; %s", label(), backend.name(), p.batch(), d, call.traffic());
            report[0] = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), detail, 0, null, true, -1, null,
                    System.nanoTime() - t0);
        });
        requireFinite(p, states, report[0]);
        return report[0];
    }

    /** Newton in time in one fused kernel; see {@code newtonInTime} in cells.cu. */
    private SolveReport newtonForward(Recurrence p, float[] states, String why) {
        long t0 = System.nanoTime();
        NewtonOptions opts = p.newton();
        int budget = opts.iterationBudget(p.steps());
        long lanes = (long) p.batch() * d;
        int lpb = geometry.lanesPerBlock(lanes);
        int ys = geometry.threadsPerBlock() / lpb;
        int maxChunk = lstm ? MAX_LSTM_NEWTON_CHUNK : MAX_GRU_NEWTON_CHUNK;
        int chunk = Math.min(geometry.chunk(), maxChunk);
        String kernel = (lstm ? "pararnn_lstm_newton_c" : "pararnn_gru_newton_c") + (chunk <= SMALL_NEWTON_CHUNK ? SMALL_NEWTON_CHUNK : maxChunk);
        int blocks = Math.toIntExact((lanes + lpb - 1) / lpb);
        int k = lstm ? 2 : 1;
        int warps = (lpb * ys + 31) / 32;
        // cells.cu's newtonInTime: chunk pairs per warp group, each chunk's last state, a reduction, the carry.
        int shared = geometry.sharedBytes(k, lpb) + 4 * (k * ys * lpb + 2 * warps + k * lpb);
        int statsPerBlock = NEWTON_STATS + budget + 1;
        float[] stats = new float[blocks * statsPerBlock];
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            Call call = new Call(lane, p);
            CudaDevice.Stream s = call.stream;
            CudaDevice.Buffer out = lane.buffer("states", states.length);
            CudaDevice.Buffer st = lane.buffer("newtonStats", stats.length);
            boolean fallback = opts.onFailure() == NewtonOptions.OnFailure.SEQUENTIAL_FALLBACK;
            KernelArgs args = new KernelArgs().pointer(call.a).pointer(call.c).pointer(call.u).pointer(call.init).pointer(out).pointer(st)
                    .integer(p.batch()).integer(p.steps()).integer(d).integer(chunk).integer(budget)
                    .real(opts.tolerance()).integer(opts.growthPatience()).integer(fallback ? 1 : 0);
            s.launch(kernel, new int[] {blocks, 1, 1}, new int[] {lpb, ys, 1}, shared, args);
            s.download(out, 0, states, 0, states.length);
            s.download(st, 0, stats, 0, stats.length);
            s.sync();
            // Across blocks: the most iterations any window took, and per iteration the largest residual.
            int iterations = 0;
            double finalResidual = 0;
            int fallbackFrom = -1;
            int code = 0;
            double[] history = new double[budget + 1];
            for (int blk = 0; blk < blocks; blk++) {
                int o = blk * statsPerBlock;
                iterations = Math.max(iterations, (int) stats[o]);
                finalResidual = nanMax(finalResidual, stats[o + 1]);
                if (stats[o + 3] != 0 && (fallbackFrom < 0 || stats[o + 2] < fallbackFrom)) {
                    fallbackFrom = (int) stats[o + 2];
                    code = (int) stats[o + 3];
                }
                for (int i = 0; i <= budget; i++) {
                    history[i] = nanMax(history[i], stats[o + NEWTON_STATS + i]);
                }
            }
            double[] residuals = java.util.Arrays.copyOf(history, iterations + 1);
            residuals[iterations] = finalResidual;
            String detail = String.format(Locale.ROOT, "fused %s on %s, Newton in time (%s), windows of %d steps (%d lanes x %d chunks of %d), "
                    + "initial guess 0, most iterations in a window %d; %s",
                    label(), backend.name(), why, ys * chunk, lpb, ys, chunk, iterations, call.traffic());
            if (code == 0) {
                report[0] = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), detail, iterations, residuals, true, -1,
                        null, System.nanoTime() - t0);
                return;
            }
            String failure = switch (code) {
                case 1 -> "non-finite residual in the window from step " + fallbackFrom;
                case 2 -> "residual grew " + opts.growthPatience() + " times in a row (diverging) in the window from step " + fallbackFrom;
                default -> "not converged after " + budget + " iterations in the window from step " + fallbackFrom;
            };
            SolveReport failed = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), detail, iterations, residuals, false,
                    -1, failure, System.nanoTime() - t0);
            int from = fallbackFrom;
            report[0] = NewtonFailure.settle(failed, opts.onFailure(), () -> from, t0); // the device already re-solved
        });
        if (report[0].converged() || report[0].fellBack()) {
            requireFinite(p, states, report[0]);
        }
        return report[0];
    }

    private static double nanMax(double acc, float v) {
        return v > acc || Float.isNaN(v) ? v : acc;
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                                float[] gradInit) {
        long t0 = System.nanoTime();
        int parts = lstm ? 5 : 3;
        float[] partials = new float[p.batch() * d * parts];
        // In time exactly where the forward runs Newton in time: the same shapes leave a sequential walk idle.
        String inTime = inTimeReason(p.batch(), p.steps());
        long lanes = (long) p.batch() * d;
        int lpb = geometry.lanesPerBlock(lanes);
        int ys = geometry.threadsPerBlock() / lpb;
        int chunk = geometry.chunk();
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            Call call = new Call(lane, p);
            CudaDevice.Stream s = call.stream;
            CudaDevice.Buffer h = upload(lane, "states", states);
            CudaDevice.Buffer g = upload(lane, "gradStates", gradStates);
            CudaDevice.Buffer gu = lane.buffer("gradU", gradU.length);
            CudaDevice.Buffer gp = lane.buffer("gradParts", partials.length);
            CudaDevice.Buffer gi = gradInit == null ? null : lane.buffer("gradInit", gradInit.length);
            KernelArgs args = call.weights().pointer(call.u).pointer(call.init).pointer(h).pointer(g).pointer(gu).pointer(gp)
                    .pointer(gi).integer(p.batch()).integer(p.steps()).integer(d);
            String how;
            if (inTime == null) {
                s.launch(lstm ? "pararnn_lstm_adjoint_sequential" : "pararnn_gru_adjoint_sequential", grid(p.batch()),
                        new int[] {THREADS, 1, 1}, 0, args);
                how = "sequential in reverse time";
            } else {
                // cells.cu's adjointInTime: chunk pairs per warp group, then each chunk's weight partials.
                int shared = geometry.sharedBytes(lstm ? 2 : 1, lpb) + 4 * ys * lpb * parts;
                s.launch(lstm ? "pararnn_lstm_adjoint_scan" : "pararnn_gru_adjoint_scan",
                        new int[] {Math.toIntExact((lanes + lpb - 1) / lpb), 1, 1}, new int[] {lpb, ys, 1}, shared,
                        args.integer(chunk));
                how = String.format(Locale.ROOT, "one reverse scan in time (%s), windows of %d steps (%d lanes x %d chunks of %d)",
                        inTime, ys * chunk, lpb, ys, chunk);
            }
            s.download(gu, 0, gradU, 0, gradU.length);
            s.download(gp, 0, partials, 0, partials.length);
            if (gi != null) {
                s.download(gi, 0, gradInit, 0, gradInit.length);
            }
            s.sync();
            String detail = String.format(Locale.ROOT, "fused %s adjoint on %s, %s; %s", label(), backend.name(), how,
                    call.traffic());
            report[0] = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), detail, 0, null, true, -1, null,
                    System.nanoTime() - t0);
        });
        addWeightGradients(partials, p.batch(), parts, grads);
        return report[0];
    }

    /**
     * One solve on a lane: the cell's weights, {@code u} and {@code h0} uploaded, and the stream's counters as
     * they were, so that the report can say what this call moved and how long its kernels ran.
     */
    private final class Call {
        final CudaDevice.Stream stream;
        final CudaDevice.Buffer a;
        final CudaDevice.Buffer c;
        final CudaDevice.Buffer u;
        final CudaDevice.Buffer init;
        private final long up0;
        private final long down0;
        private final long kernel0;

        Call(CudaBackend.Lane lane, Recurrence p) {
            stream = lane.stream;
            up0 = stream.bytesUp();
            down0 = stream.bytesDown();
            kernel0 = stream.kernelNanos();
            a = upload(lane, "a", cell.a().data());
            c = lstm ? upload(lane, "c", cell.c().data()) : null;
            u = upload(lane, "u", p.u());
            init = p.init() == null ? null : upload(lane, "init", p.init());
        }

        /** The weights as the kernels take them: A, then C for the LSTM. */
        KernelArgs weights() {
            KernelArgs args = new KernelArgs().pointer(a);
            return lstm ? args.pointer(c) : args;
        }

        String traffic() {
            return String.format(Locale.ROOT, "%,d B to the device, %,d B back, kernel %.3f ms", stream.bytesUp() - up0,
                    stream.bytesDown() - down0, (stream.kernelNanos() - kernel0) / 1e6);
        }
    }

    private static CudaDevice.Buffer upload(CudaBackend.Lane lane, String name, float[] data) {
        CudaDevice.Buffer b = lane.buffer(name, data.length);
        lane.stream.upload(data, 0, data.length, b, 0);
        return b;
    }

    /** Sums the per-lane partials over the batch in a fixed order, in double, into A's (and C's) gradients. */
    private void addWeightGradients(float[] partials, int batch, int parts, Gradients grads) {
        double[] sums = new double[parts * d];
        for (int b = 0; b < batch; b++) {
            for (int f = 0; f < d; f++) {
                int lane = b * d + f;
                for (int g = 0; g < parts; g++) {
                    sums[g * d + f] += partials[lane * parts + g];
                }
            }
        }
        float[] ga = grads.data("A");
        for (int i = 0; i < 3 * d; i++) {
            ga[i] += (float) sums[i];
        }
        if (lstm) {
            float[] gc = grads.data("C");
            for (int i = 0; i < 2 * d; i++) {
                gc[i] += (float) sums[3 * d + i];
            }
        }
    }

    private void requireFinite(Recurrence p, float[] states, SolveReport report) {
        int s = p.cell().stateWidth();
        for (int i = 0; i < states.length; i++) {
            if (!Float.isFinite(states[i])) {
                throw new SolveFailedException("the fused " + label() + " solve on " + backend.name() + " produced " + states[i]
                        + " at [b=" + i / s / p.steps() + ", t=" + (i / s) % p.steps() + ", i=" + i % s + "]", report);
            }
        }
    }
}
