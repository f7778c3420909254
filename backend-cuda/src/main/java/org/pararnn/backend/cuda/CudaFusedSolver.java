package org.pararnn.backend.cuda;

import java.util.Locale;
import org.pararnn.api.Gradients;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.NewtonOutcome;
import org.pararnn.api.SolveFailedException;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonFailure;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.api.spi.ResidentRecurrence;
import org.pararnn.api.ops.DeviceArray;

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
     * forced, or AUTO's rule on a GPU — the layouts' dependent phases, launches and bytes in closed form
     * ({@link KernelCostModel}, checked against the emulator's counts) predict less time for the forward and
     * backward in time than walked. The emulator's AUTO keeps the walk (its time says nothing of a GPU's).
     */
    String inTimeReason(int batch, int steps) {
        long lanes = (long) batch * d;
        return switch (strategy) {
            case NEWTON -> "asked for (strategy newton: the option " + CudaBackend.FUSED.name() + " or the caller)";
            case SEQUENTIAL -> null;
            case AUTO -> {
                if (!backend.name().equals(CudaBackendProvider.NAME)) {
                    yield null;
                }
                KernelCostModel.Cost inTime = KernelCostModel.inTime(geometry, lstm, lanes, steps, KernelCostModel.ASSUMED_ITERATIONS);
                KernelCostModel.Cost walk = KernelCostModel.walk(lstm, lanes, steps);
                yield inTime.nanos() < walk.nanos()
                        ? String.format(Locale.ROOT, "AUTO: %d lanes x %d steps, in time %.0f us predicted against the walk's %.0f us",
                                lanes, steps, inTime.nanos() / 1e3, walk.nanos() / 1e3)
                        : null;
            }
        };
    }

    /** Device buffers by what they hold, kept for later calls (a lane's, or the ops' workspace). */
    private interface Scratch {
        CudaDevice.Buffer get(String name, long floats);
    }

    /** How a Newton-in-time forward went, before its report: iterations, residual per iterate, failure and where. */
    private record Outcome(int iterations, double[] residuals, int code, int fallbackFrom, String layout, boolean whole,
                           CudaDevice.Buffer result) {
    }

    /**
     * How the forward's Newton in time is laid out for one shape (docs/design.md §7): windowed (one block per
     * lane group walks windows of time, Newton per window in registers; {@code newtonInTime} in cells.cu) or,
     * where the plan spreads time over blocks, DEER's iteration over the whole sequence in three launches an
     * iteration ({@code newtonSpreadReduce}, the summaries' scan, {@code newtonSpreadUpdate}).
     */
    private final class NewtonPlan {
        final int budget;
        final ScanPlan layout;
        final String kernel;
        final int shared;
        final int statsPerBlock;

        NewtonPlan(int batch, int steps, NewtonOptions opts) {
            budget = opts.iterationBudget(steps);
            long lanes = (long) batch * d;
            int maxChunk = lstm ? MAX_LSTM_NEWTON_CHUNK : MAX_GRU_NEWTON_CHUNK;
            ScanPlan chosen = geometry.plan(lanes, steps, maxChunk);
            int k = lstm ? 2 : 1;
            if (chosen.spread()) {
                layout = chosen;
                kernel = lstm ? "pararnn_lstm_newton_spread" : "pararnn_gru_newton_spread";
                // cells.cu's newtonSpreadReduce: chunk pairs per warp group, then a reduction.
                shared = layout.pairBytes(k) + 4 * 2 * ((layout.threads() + 31) / 32);
                statsPerBlock = 2;
            } else {
                layout = chosen;
                kernel = (lstm ? "pararnn_lstm_newton_c" : "pararnn_gru_newton_c")
                        + (layout.chunk() <= SMALL_NEWTON_CHUNK ? SMALL_NEWTON_CHUNK : maxChunk);
                int lpb = layout.lanesPerBlock();
                int ys = layout.chunksPerBlock();
                int warps = (lpb * ys + 31) / 32;
                // cells.cu's newtonInTime: chunk pairs per warp group, each chunk's last state, a reduction, the carry.
                shared = layout.pairBytes(k) + 4 * (k * ys * lpb + 2 * warps + k * lpb);
                statsPerBlock = NEWTON_STATS + budget + 1;
            }
        }

        int blocks() {
            return Math.toIntExact(layout.laneGroups() * layout.segments());
        }

        /**
         * Runs the forward and waits for its statistics; the states end in the outcome's {@code result}, which is
         * {@code out} unless {@code anyBuffer} lets a spread solve leave them in its other iterate buffer.
         */
        Outcome run(CudaDevice.Stream s, Scratch scratch, CudaDevice.Buffer a, CudaDevice.Buffer c, CudaDevice.Buffer u,
                    CudaDevice.Buffer init, CudaDevice.Buffer out, int batch, int steps, NewtonOptions opts, boolean anyBuffer) {
            return layout.spread() ? spread(s, scratch, a, c, u, init, out, batch, steps, opts, anyBuffer)
                    : windowed(s, scratch, a, c, u, init, out, batch, steps, opts);
        }

        private Outcome windowed(CudaDevice.Stream s, Scratch scratch, CudaDevice.Buffer a, CudaDevice.Buffer c,
                                 CudaDevice.Buffer u, CudaDevice.Buffer init, CudaDevice.Buffer out, int batch, int steps,
                                 NewtonOptions opts) {
            float[] stats = new float[blocks() * statsPerBlock];
            CudaDevice.Buffer st = scratch.get("newton statistics", stats.length);
            boolean fallback = opts.onFailure() == NewtonOptions.OnFailure.SEQUENTIAL_FALLBACK;
            KernelArgs args = new KernelArgs().pointer(a).pointer(c).pointer(u).pointer(init).pointer(out).pointer(st)
                    .integer(batch).integer(steps).integer(d).integer(layout.chunk()).integer(budget)
                    .real(opts.tolerance()).integer(opts.growthPatience()).integer(fallback ? 1 : 0);
            s.launch(kernel, layout.grid(), layout.block(), shared, args);
            s.download(st, 0, stats, 0, stats.length);
            s.sync();
            // Across blocks: the most iterations any window took, and per iteration the largest residual.
            int iterations = 0;
            double finalResidual = 0;
            int fallbackFrom = -1;
            int code = 0;
            double[] history = new double[budget + 1];
            for (int blk = 0; blk < blocks(); blk++) {
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
            return new Outcome(iterations, residuals, code, fallbackFrom, layout.describe() + ", Newton per window", false, out);
        }

        private Outcome spread(CudaDevice.Stream s, Scratch scratch, CudaDevice.Buffer a, CudaDevice.Buffer c,
                               CudaDevice.Buffer u, CudaDevice.Buffer init, CudaDevice.Buffer out, int batch, int steps,
                               NewtonOptions opts, boolean anyBuffer) {
            int k = lstm ? 2 : 1;
            long n = (long) batch * steps * k * d;
            long rows = (long) batch * layout.segments();
            CudaDevice.Buffer other = scratch.get("newton iterate", n);
            CudaDevice.Buffer sumA = scratch.get("newton summaries A", rows * k * k * d);
            CudaDevice.Buffer sumB = scratch.get("newton summaries b", rows * k * d);
            CudaDevice.Buffer carries = scratch.get("newton carries", rows * k * d);
            float[] stats = new float[blocks() * statsPerBlock];
            CudaDevice.Buffer st = scratch.get("newton statistics", stats.length);
            // The first iterate is zero and read from nowhere (null); updates alternate between out and other.
            CudaDevice.Buffer x = null;
            CudaDevice.Buffer next = out;
            java.util.List<Double> history = new java.util.ArrayList<>();
            int it = 0;
            int growth = 0;
            int code;
            double previous = 0;
            while (true) {
                s.launch(kernel + "_reduce", layout.grid(), layout.block(), shared, weights(a, c).pointer(u).pointer(init).pointer(x)
                        .pointer(sumA).pointer(sumB).pointer(st).integer(batch).integer(steps).integer(d).integer(layout.chunk())
                        .integer(layout.segmentSteps()));
                s.download(st, 0, stats, 0, stats.length);
                s.sync();
                double res = 0;
                double fmax = 0;
                for (int blk = 0; blk < blocks(); blk++) {
                    res = nanMax(res, stats[2 * blk]);
                    fmax = nanMax(fmax, stats[2 * blk + 1]);
                }
                history.add(res);
                if (res <= opts.tolerance() * Math.max(1, fmax)) {
                    code = 0;
                    break;
                }
                if (!Double.isFinite(res)) {
                    code = 1;
                } else {
                    growth = it > 0 && res > previous ? growth + 1 : 0;
                    code = growth >= opts.growthPatience() ? 2 : it == budget ? 3 : 0;
                }
                if (code != 0) {
                    break;
                }
                previous = res;
                CudaScan.scanSummaries(s, layout, k, sumA, sumB, init, carries, batch, k * d);
                s.launch(kernel + "_update", layout.grid(), layout.block(), layout.pairBytes(k), weights(a, c).pointer(u).pointer(init)
                        .pointer(x).pointer(carries).pointer(next).integer(batch).integer(steps).integer(d).integer(layout.chunk())
                        .integer(layout.segmentSteps()));
                x = next;
                next = x == out ? other : out;
                it++;
            }
            if (x == null) {
                fill(s, out, n);
                x = out;
            } else if (x != out && (!anyBuffer || code != 0)) {
                copy(s, x, out, n);
                x = out;
            }
            int fallbackFrom = -1;
            if (code != 0 && opts.onFailure() == NewtonOptions.OnFailure.SEQUENTIAL_FALLBACK) {
                // The whole sequence walked on the device: one global iterate has no exact prefix to keep.
                launchWalk(s, a, c, u, init, out, batch, steps);
                fallbackFrom = 0;
            } else if (code != 0) {
                fallbackFrom = 0;
            }
            double[] residuals = history.stream().mapToDouble(Double::doubleValue).toArray();
            return new Outcome(it, residuals, code, fallbackFrom, layout.describe() + ", Newton over the whole sequence", true, x);
        }
    }

    /** {@code out[0, n) = 0} on the stream. */
    private static void fill(CudaDevice.Stream s, CudaDevice.Buffer out, long n) {
        s.launch("pararnn_ops_fill", new int[] {Math.toIntExact((n + THREADS - 1) / THREADS), 1, 1}, new int[] {THREADS, 1, 1}, 0,
                new KernelArgs().pointer(out).integer(Math.toIntExact(n)).real(0f));
    }

    /** {@code dst[0, n) = src[0, n)} on the stream. */
    private static void copy(CudaDevice.Stream s, CudaDevice.Buffer src, CudaDevice.Buffer dst, long n) {
        s.launch("pararnn_ops_copy", new int[] {Math.toIntExact((n + THREADS - 1) / THREADS), 1, 1}, new int[] {THREADS, 1, 1}, 0,
                new KernelArgs().pointer(src).integer(0).integer(1).pointer(dst).integer(0).integer(1).integer(Math.toIntExact(n))
                        .integer(1));
    }

    /** Queues the sequential walk of the forward on {@code s}. */
    private void launchWalk(CudaDevice.Stream s, CudaDevice.Buffer a, CudaDevice.Buffer c, CudaDevice.Buffer u,
                            CudaDevice.Buffer init, CudaDevice.Buffer out, int batch, int steps) {
        KernelArgs args = weights(a, c).pointer(u).pointer(init).pointer(out).integer(batch).integer(steps).integer(d);
        s.launch(lstm ? "pararnn_lstm_sequential" : "pararnn_gru_sequential", grid(batch), new int[] {THREADS, 1, 1}, 0, args);
    }

    private KernelArgs weights(CudaDevice.Buffer a, CudaDevice.Buffer c) {
        KernelArgs args = new KernelArgs().pointer(a);
        return lstm ? args.pointer(c) : args;
    }

    private String walkDetail(int batch, String traffic) {
        return String.format(Locale.ROOT, "fused %s on %s, sequential in time, one thread per (batch, feature) over %d x %d; %s",
                label(), backend.name(), batch, d, traffic);
    }

    /** The report of a Newton-in-time forward. */
    private SolveReport newtonReport(Outcome o, NewtonOptions opts, String why, String traffic, long t0) {
        String detail = String.format(Locale.ROOT, "fused %s on %s, Newton in time (%s), %s, initial guess 0, most iterations %d; %s",
                label(), backend.name(), why, o.layout(), o.iterations(), traffic);
        // The kernels' codes, as the host's stopping rules name them (NewtonStopping).
        NewtonOutcome outcome = switch (o.code()) {
            case 0 -> new NewtonOutcome.Converged(o.iterations());
            case 1 -> new NewtonOutcome.NonFinite(o.iterations());
            case 2 -> new NewtonOutcome.Diverged(o.iterations(), opts.growthPatience());
            default -> new NewtonOutcome.BudgetSpent(o.iterations());
        };
        if (outcome.converged()) {
            return SolveReport.newton(Mode.FUSED, Mode.FUSED, backend.name(), detail, o.residuals(), outcome, null,
                    System.nanoTime() - t0);
        }
        String where = o.whole() ? " over the whole sequence" : " in the window from step " + o.fallbackFrom();
        SolveReport failed = SolveReport.newton(Mode.FUSED, Mode.FUSED, backend.name(), detail, o.residuals(), outcome,
                outcome.describe() + where, System.nanoTime() - t0);
        int from = o.fallbackFrom();
        return NewtonFailure.settle(failed, opts.onFailure(), () -> from, t0); // the device already re-solved
    }

    @Override
    public SolveReport forward(Recurrence p, float[] states) {
        String inTime = inTimeReason(p.batch(), p.steps());
        NewtonPlan plan = inTime == null ? null : new NewtonPlan(p.batch(), p.steps(), p.newton());
        long t0 = System.nanoTime();
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            Call call = new Call(lane, p);
            CudaDevice.Stream s = call.stream;
            CudaDevice.Buffer out = lane.buffer("states", states.length);
            Outcome o = null;
            if (plan == null) {
                launchWalk(s, call.a, call.c, call.u, call.init, out, p.batch(), p.steps());
            } else {
                o = plan.run(s, lane::buffer, call.a, call.c, call.u, call.init, out, p.batch(), p.steps(), p.newton(), true);
            }
            s.download(o == null ? out : o.result(), 0, states, 0, states.length);
            s.sync();
            report[0] = o == null
                    ? new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), walkDetail(p.batch(), call.traffic()), 0, null, true, -1,
                            null, System.nanoTime() - t0)
                    : newtonReport(o, p.newton(), inTime, call.traffic(), t0);
        });
        if (report[0].converged() || report[0].fellBack()) {
            requireFinite(p, states, report[0]);
        }
        return report[0];
    }

    private static double nanMax(double acc, float v) {
        return v > acc || Float.isNaN(v) ? v : acc;
    }

    /** Queues the adjoint on {@code s}; returns how it runs in time, in words. */
    private String launchBackward(CudaDevice.Stream s, Scratch scratch, CudaDevice.Buffer a, CudaDevice.Buffer c,
                                  CudaDevice.Buffer u, CudaDevice.Buffer init, CudaDevice.Buffer h, CudaDevice.Buffer g,
                                  CudaDevice.Buffer gu, CudaDevice.Buffer gp, CudaDevice.Buffer gi, int batch, int steps) {
        // In time exactly where the forward runs Newton in time: the same shapes leave a sequential walk idle.
        String inTime = inTimeReason(batch, steps);
        if (inTime == null) {
            KernelArgs args = weights(a, c).pointer(u).pointer(init).pointer(h).pointer(g).pointer(gu).pointer(gp)
                    .pointer(gi).integer(batch).integer(steps).integer(d);
            s.launch(lstm ? "pararnn_lstm_adjoint_sequential" : "pararnn_gru_adjoint_sequential", grid(batch),
                    new int[] {THREADS, 1, 1}, 0, args);
            return "sequential in reverse time";
        }
        long lanes = (long) batch * d;
        int k = lstm ? 2 : 1;
        ScanPlan layout = geometry.plan(lanes, steps, geometry.chunk());
        String cell = lstm ? "pararnn_lstm_adjoint" : "pararnn_gru_adjoint";
        // cells.cu's adjointInTime: chunk pairs per warp group, then each chunk's weight partials.
        int shared = layout.pairBytes(k) + 4 * layout.threads() * parts();
        CudaDevice.Buffer carries = null;
        CudaDevice.Buffer partials = gp;
        if (layout.spread()) {
            // The segments' summaries (adjointSpreadReduce), their scan into the λ entering each segment, the
            // segments' re-walk with partials per segment, and those added over segments in order.
            long rows = (long) batch * layout.segments();
            CudaDevice.Buffer sumA = scratch.get("adjoint summaries A", rows * k * k * d);
            CudaDevice.Buffer sumB = scratch.get("adjoint summaries b", rows * k * d);
            carries = scratch.get("adjoint carries", rows * k * d);
            partials = scratch.get("adjoint partials per segment", (long) layout.segments() * lanes * parts());
            s.launch(cell + "_spread_reduce", layout.grid(), layout.block(), layout.pairBytes(k), weights(a, c).pointer(u).pointer(init)
                    .pointer(h).pointer(g).pointer(sumA).pointer(sumB).integer(batch).integer(steps).integer(d).integer(layout.chunk())
                    .integer(layout.segmentSteps()));
            CudaScan.scanSummaries(s, layout, k, sumA, sumB, null, carries, batch, k * d);
        }
        s.launch(cell + "_scan", layout.grid(), layout.block(), shared, weights(a, c).pointer(u).pointer(init).pointer(h).pointer(g)
                .pointer(gu).pointer(partials).pointer(gi).integer(batch).integer(steps).integer(d).integer(layout.chunk())
                .pointer(carries).integer(layout.segmentSteps()));
        if (layout.spread()) {
            int n = Math.toIntExact(lanes * parts());
            s.launch("pararnn_sum_segments", new int[] {(n + THREADS - 1) / THREADS, 1, 1}, new int[] {THREADS, 1, 1}, 0,
                    new KernelArgs().pointer(partials).integer(layout.segments()).integer(n).pointer(gp));
        }
        return String.format(Locale.ROOT, "one reverse scan in time (%s), %s", inTime, layout.describe());
    }

    /** Per-lane partial sums of the recurrent weights' gradients: A's three rows, and C's two for the LSTM. */
    private int parts() {
        return lstm ? 5 : 3;
    }

    @Override
    public SolveReport backward(Recurrence p, float[] states, float[] gradStates, float[] gradU, Gradients grads,
                                float[] gradInit) {
        long t0 = System.nanoTime();
        int parts = parts();
        float[] partials = new float[p.batch() * d * parts];
        SolveReport[] report = new SolveReport[1];
        backend.onLane(lane -> {
            Call call = new Call(lane, p);
            CudaDevice.Stream s = call.stream;
            CudaDevice.Buffer h = upload(lane, "states", states);
            CudaDevice.Buffer g = upload(lane, "gradStates", gradStates);
            CudaDevice.Buffer gu = lane.buffer("gradU", gradU.length);
            CudaDevice.Buffer gp = lane.buffer("gradParts", partials.length);
            CudaDevice.Buffer gi = gradInit == null ? null : lane.buffer("gradInit", gradInit.length);
            String how = launchBackward(s, lane::buffer, call.a, call.c, call.u, call.init, h, g, gu, gp, gi, p.batch(), p.steps());
            s.download(gu, 0, gradU, 0, gradU.length);
            s.download(gp, 0, partials, 0, partials.length);
            if (gi != null) {
                s.download(gi, 0, gradInit, 0, gradInit.length);
            }
            s.sync();
            report[0] = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), adjointDetail(how, call.traffic()), 0, null, true, -1,
                    null, System.nanoTime() - t0);
        });
        addWeightGradients(partials, p.batch(), parts, grads);
        return report[0];
    }

    private String adjointDetail(String how, String traffic) {
        return String.format(Locale.ROOT, "fused %s adjoint on %s, %s; %s", label(), backend.name(), how, traffic);
    }

    // ---- on the ops' arrays (ResidentSolver): the same kernels on the ops' stream, nothing copied but statistics ----

    /** The forward on the CUDA ops' arrays; then one kernel looks for a non-finite state (8 bytes back). */
    SolveReport forward(CudaOps ops, ResidentRecurrence p, DeviceArray states) {
        requireStates(p, states);
        String inTime = inTimeReason(p.batch(), p.steps());
        NewtonPlan plan = inTime == null ? null : new NewtonPlan(p.batch(), p.steps(), p.newton());
        long t0 = System.nanoTime();
        int n = Math.toIntExact(p.stateElements());
        return ops.onStream(s -> {
            long up0 = s.bytesUp();
            long down0 = s.bytesDown();
            CudaDevice.Buffer a = ops.buffer(p.params().value("A"));
            CudaDevice.Buffer c = lstm ? ops.buffer(p.params().value("C")) : null;
            Outcome o = null;
            if (plan == null) {
                launchWalk(s, a, c, ops.buffer(p.u()), ops.buffer(p.init()), ops.buffer(states), p.batch(), p.steps());
            } else {
                o = plan.run(s, ops::workspace, a, c, ops.buffer(p.u()), ops.buffer(p.init()), ops.buffer(states), p.batch(), p.steps(),
                        p.newton(), false);
            }
            float[] bad = ops.firstNonFinite(states, n);
            String traffic = residentTraffic(s, up0, down0);
            SolveReport report = o == null
                    ? new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), walkDetail(p.batch(), traffic), 0, null, true, -1, null,
                            System.nanoTime() - t0)
                    : newtonReport(o, p.newton(), inTime, traffic, t0);
            if (bad != null && (report.converged() || report.fellBack())) {
                throw nonFinite("produced", bad, p.cell().stateWidth(), p.steps(), report);
            }
            return report;
        });
    }

    /**
     * The adjoint on the CUDA ops' arrays: the recurrent weights' per-lane partials summed over the batch on the
     * device (in order, in double) into the parameters' gradient arrays; one kernel looks for a non-finite
     * {@code ∂L/∂u}.
     */
    SolveReport backward(CudaOps ops, ResidentRecurrence p, DeviceArray states, DeviceArray gradStates, DeviceArray gradU,
                         DeviceArray gradInit) {
        requireStates(p, states);
        requireStates(p, gradStates);
        long needU = (long) p.batch() * p.steps() * p.cell().projectedWidth();
        if (gradU.length() < needU) {
            throw new IllegalArgumentException("gradU: " + gradU.name() + " holds " + gradU.length() + " values, needs " + needU);
        }
        if (gradInit != null && gradInit.length() < (long) p.batch() * p.cell().stateWidth()) {
            throw new IllegalArgumentException("gradInit: " + gradInit.name() + " holds " + gradInit.length() + " values, needs "
                    + (long) p.batch() * p.cell().stateWidth());
        }
        long t0 = System.nanoTime();
        int parts = parts();
        return ops.onStream(s -> {
            long up0 = s.bytesUp();
            long down0 = s.bytesDown();
            CudaDevice.Buffer a = ops.buffer(p.params().value("A"));
            CudaDevice.Buffer c = lstm ? ops.buffer(p.params().value("C")) : null;
            CudaDevice.Buffer gp = ops.workspace("fused weight partials", (long) p.batch() * d * parts);
            String how = launchBackward(s, ops::workspace, a, c, ops.buffer(p.u()), ops.buffer(p.init()), ops.buffer(states), ops.buffer(gradStates),
                    ops.buffer(gradU), gp, ops.buffer(gradInit), p.batch(), p.steps());
            CudaDevice.Buffer ga = ops.buffer(p.params().grad("A"));
            CudaDevice.Buffer gc = lstm ? ops.buffer(p.params().grad("C")) : null;
            s.launch("pararnn_ops_fused_weight_grads", new int[] {(parts * d + THREADS - 1) / THREADS, 1, 1}, new int[] {THREADS, 1, 1}, 0,
                    new KernelArgs().pointer(gp).integer(p.batch()).integer(d).integer(parts).pointer(ga).pointer(gc));
            float[] bad = ops.firstNonFinite(gradU, Math.toIntExact(needU));
            SolveReport report = new SolveReport(Mode.FUSED, Mode.FUSED, backend.name(), adjointDetail(how, residentTraffic(s, up0, down0)),
                    0, null, true, -1, null, System.nanoTime() - t0);
            if (bad != null) {
                throw nonFinite("back-propagated", bad, p.cell().projectedWidth(), p.steps(), report);
            }
            return report;
        });
    }

    private void requireStates(ResidentRecurrence p, DeviceArray a) {
        if (a.length() < p.stateElements()) {
            throw new IllegalArgumentException(a.name() + " holds " + a.length() + " values, [" + p.batch() + "][" + p.steps() + "]["
                    + p.cell().stateWidth() + "] needs " + p.stateElements());
        }
    }

    private static String residentTraffic(CudaDevice.Stream s, long up0, long down0) {
        return String.format(Locale.ROOT, "on the ops' arrays, %,d B to the device, %,d B back", s.bytesUp() - up0, s.bytesDown() - down0);
    }

    private SolveFailedException nonFinite(String what, float[] bad, int width, int steps, SolveReport report) {
        int i = (int) bad[0];
        return new SolveFailedException("the fused " + label() + " solve on " + backend.name() + " " + what + " " + bad[1] + " at [b="
                + i / width / steps + ", t=" + (i / width) % steps + ", i=" + i % width + "] (a non-finite input or parameter gives this too)",
                report);
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
