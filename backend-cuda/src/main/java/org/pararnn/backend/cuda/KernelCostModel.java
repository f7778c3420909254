package org.pararnn.backend.cuda;

import java.util.Locale;

/**
 * The kernels' dependent phases, launches and global bytes in closed form, per layout (docs/design.md §7),
 * written from the kernels' structure and checked against the emulator's counts ({@code KernelCostModelTest}),
 * and the time they predict on a GPU. AUTO on {@code cuda} picks, for a fused cell's forward and backward
 * together, whichever of the sequential walk and the in-time kernels predicts less time.
 *
 * <p>A phase is one barrier, one warp-collective round, one window or one step of a walk; a block's phases
 * are those of its deepest thread, a launch's those of its deepest block plus one. The GPU constants are
 * assumptions until a GPU measures them: {@link #LAUNCH_NS} per launch, {@link #PHASE_NS} per phase, and
 * {@link #BYTES_PER_NS} of device memory bandwidth (H100: 3.35 TB/s).
 */
final class KernelCostModel {
    /** A kernel launch with its host-side call and the stream's dispatch. */
    static final double LAUNCH_NS = 4_000;
    /** One dependent phase: a barrier, a shuffle round, one step of a walk (a cell's f with its loads in flight). */
    static final double PHASE_NS = 50;
    /** Device memory bandwidth, bytes per nanosecond. */
    static final double BYTES_PER_NS = 3_000;
    /** Newton iterations assumed per window or sequence when choosing (docs/design.md §7 gives the measured counts). */
    static final int ASSUMED_ITERATIONS = 4;

    private KernelCostModel() {
    }

    /** Launches, dependent phases and global bytes of some kernels. */
    record Cost(long launches, long phases, double bytes) {
        Cost plus(Cost o) {
            return new Cost(launches + o.launches, phases + o.phases, bytes + o.bytes);
        }

        Cost times(int n) {
            return new Cost(launches * n, phases * n, bytes * n);
        }

        double nanos() {
            return launches * LAUNCH_NS + phases * PHASE_NS + bytes / BYTES_PER_NS;
        }

        String describe() {
            return String.format(Locale.ROOT, "%d launches, %d phases, %.0f B: %.1f us predicted", launches, phases, bytes, nanos() / 1e3);
        }
    }

    /** Warp collectives and the barrier of one combine of a lane's chunks (pararnn_scan.h's laneCarryIn) with k×k pairs. */
    static long carryIn(ScanPlan p, int k) {
        int perWarp = p.lanesPerBlock() >= 32 ? 1 : 32 / p.lanesPerBlock();
        int rounds = Integer.numberOfTrailingZeros(perWarp);
        return (long) (rounds + 1) * (k * k + k) + 1;
    }

    /** Windows of the deepest block: the first segment's (the whole sequence when windowed). */
    static long windows(ScanPlan p, int steps) {
        int first = p.spread() ? Math.min(p.segmentSteps(), steps) : steps;
        return Math.max(1, (first + p.windowSteps() - 1) / p.windowSteps());
    }

    /** One launch of scan_chunked or scan_reduce by {@code p}: per window a mark, the combine and a barrier. */
    static long scanLaunchPhases(ScanPlan p, int k, int steps) {
        return windows(p, steps) * (carryIn(p, k) + 2) + 1;
    }

    /** The chunked scan of {@code steps} steps by {@code p}: one launch, or summaries + their scan + re-scan. */
    static long scanPhases(ScanPlan p, int k, int steps) {
        long phases = scanLaunchPhases(p, k, steps);
        if (p.spread()) {
            phases += scanLaunchPhases(p, k, steps) + scanLaunchPhases(p.carries(), k, p.segments());
        }
        return phases;
    }

    /** A block-wide max of two values (cells.cu's blockMax2): five xor rounds of two shuffles and two barriers. */
    static final long BLOCK_MAX = 5 * 2 + 2;

    /** The windowed Newton forward with {@code it} iterations in every window (newtonInTime). */
    static long newtonWindowedPhases(ScanPlan p, int k, int steps, int it) {
        long perWindow = 1 + (long) (it + 1) * (1 + BLOCK_MAX) + (long) it * (carryIn(p, k) + 1) + 2;
        return windows(p, steps) * perWindow + 1;
    }

    /** The spread Newton forward with {@code it} iterations (newtonSpreadReduce, the summaries' scan, newtonSpreadUpdate). */
    static long newtonSpreadPhases(ScanPlan p, int k, int steps, int it) {
        long reduce = scanLaunchPhases(p, k, steps) + BLOCK_MAX;
        long iteration = reduce + scanLaunchPhases(p.carries(), k, p.segments()) + scanLaunchPhases(p, k, steps);
        return it * iteration + reduce;
    }

    /** The in-time adjoint (adjointInTime, and where spread its summaries, their scan and the segments' sum). */
    static long adjointPhases(ScanPlan p, int k, int steps) {
        long scan = scanLaunchPhases(p, k, steps) + 1; // the partials' barrier at the end
        if (!p.spread()) {
            return scan;
        }
        return scanLaunchPhases(p, k, steps) + scanLaunchPhases(p.carries(), k, p.segments()) + scan + 1;
    }

    /** The fused cell's forward and backward walked in time: one step a phase, every value read or written once. */
    static Cost walk(boolean lstm, long lanes, int steps) {
        int k = lstm ? 2 : 1;
        double perStep = 4.0 * (3 + k) + 4.0 * (2 * k + 3 + 3);
        return new Cost(2, 2L * (steps + 1), perStep * lanes * steps);
    }

    /** The fused cell's forward (Newton, {@code it} iterations) and backward (one reverse scan) in time, laid out by {@code g}. */
    static Cost inTime(ScanGeometry g, boolean lstm, long lanes, int steps, int it) {
        int k = lstm ? 2 : 1;
        ScanPlan fwd = g.plan(lanes, steps, lstm ? CudaFusedSolver.MAX_LSTM_NEWTON_CHUNK : CudaFusedSolver.MAX_GRU_NEWTON_CHUNK);
        ScanPlan bwd = g.plan(lanes, steps, g.chunk());
        double elementSteps = (double) lanes * steps;
        Cost forward;
        if (fwd.spread()) {
            // Per iteration: the reduce reads u and the iterate, the update reads them again and writes the next.
            double perIteration = 4.0 * (3 + k) + 4.0 * (3 + k) + 4.0 * k;
            forward = new Cost(3L * it + 1, newtonSpreadPhases(fwd, k, steps, it), (perIteration * it + 4.0 * (3 + k)) * elementSteps);
        } else {
            forward = new Cost(1, newtonWindowedPhases(fwd, k, steps, it), 4.0 * (3 + k) * elementSteps);
        }
        // The adjoint reads the states, their gradients and u and writes ∂L/∂u; spread, its summaries read the first three again.
        double once = 4.0 * (2 * k + 3);
        Cost backward = bwd.spread()
                ? new Cost(4, adjointPhases(bwd, k, steps), (2 * once + 12) * elementSteps)
                : new Cost(1, adjointPhases(bwd, k, steps), (once + 12) * elementSteps);
        return forward.plus(backward);
    }
}
