package org.pararnn.api.spi;

import java.util.Optional;
import org.pararnn.api.Cell;

/**
 * A compute engine: at least a {@link LinearScan} for the structures it supports, optionally fused
 * whole-Newton solvers for cells it knows. Thread-safe; close it to release device resources.
 */
public interface Backend extends AutoCloseable {

    String name();

    /** Where it runs, in words ("2 threads, AVX2 256-bit", "NVIDIA H100 80GB", "pthread-cpu (PoCL)"). */
    String device();

    LinearScan scan();

    /**
     * What this backend's kernels did so far, where it counts them instead of timing them (an emulated device);
     * empty where it does not (real devices, the CPU).
     */
    default Optional<KernelTally> kernelTally() {
        return Optional.empty();
    }

    /** Threads for the generic solvers' parallel-over-t work; sequential by default. */
    default ParallelLoop loop() {
        return ParallelLoop.SEQUENTIAL;
    }

    /** Element-wise activations for the layers around the recurrence; {@link Activations#STANDARD} by default. */
    default Activations activations() {
        return Activations.STANDARD;
    }

    /**
     * The operations of a training step besides the recurrence, on this backend's arrays. By default the
     * host ops over {@link #loop()} and {@link #activations()}, whose {@link org.pararnn.api.ops.Ops#describe()} says that this
     * backend offers none of its own: never a silent stand-in.
     */
    default org.pararnn.api.ops.Ops ops() {
        return org.pararnn.api.ops.HostOps.standingIn(name(), loop(), activations(), options());
    }

    /**
     * Ops that take Java arrays: {@link #ops()} where they do (the host ops, the {@code cpu} backend's), else
     * the host ops on this backend's loop and activations, saying so. What a cell's projection runs on, since
     * a cell's input is a Java array.
     */
    default org.pararnn.api.ops.Ops hostOps() {
        org.pararnn.api.ops.Ops own = ops();
        return own.takesHostArrays() ? own : org.pararnn.api.ops.HostOps.besideDeviceOps(name(), loop(), activations(), options());
    }

    /**
     * A fused solver for {@code cell} (typically recognised by {@link Cell#type()}), or empty when this
     * backend has none for it.
     */
    default Optional<RecurrenceSolver> fused(Cell cell) {
        return Optional.empty();
    }

    /**
     * As {@link #fused(Cell)}, running in time as {@code strategy} says rather than as this backend's option
     * ({@link FusedStrategy#key(String)}) does: one backend, several strategies side by side (benchmarks). A
     * backend with one way of running its fused solvers returns that one whatever the strategy (the default).
     */
    default Optional<RecurrenceSolver> fused(Cell cell, FusedStrategy strategy) {
        return fused(cell);
    }

    /**
     * This backend's interpreter of cell tapes ({@link CellTape}), where it has one on its device; empty by default
     * (the host runs a cell-language cell's own tapes).
     */
    default Optional<TapeRunner> tapeRunner() {
        return Optional.empty();
    }

    /** The options this backend was made with ({@link BackendProvider#create(BackendOptions)}). */
    default BackendOptions options() {
        return BackendOptions.defaults();
    }

    /**
     * A solver for {@code cell} on this backend's own arrays ({@link #ops()}), so that the cell's input,
     * states and gradients stay on the device; empty when this backend has none for it (then
     * {@link org.pararnn.api.LayerSolve} copies through Java arrays and says so). Backends whose ops take
     * Java arrays need none.
     */
    default Optional<ResidentSolver> resident(Cell cell) {
        return Optional.empty();
    }

    /**
     * What {@link org.pararnn.api.Mode#AUTO} should run for this shape on this backend, with the reason,
     * or empty to let the generic rule decide. Backends know their own crossover points.
     */
    default Optional<AutoChoice> autoChoice(Cell cell, int batch, int steps) {
        return Optional.empty();
    }

    /**
     * Bytes copied to and from this backend's device since it was made, split by what moved them: the ops
     * ({@link #ops()}: tokens, targets, predictions, sums, and any array a caller moves) and the recurrence
     * solvers (inputs, states and gradients of solves given Java arrays). Empty on a backend whose arrays
     * are the host's.
     */
    default Optional<DeviceTraffic> traffic() {
        return Optional.empty();
    }

    /** Cumulative bytes each way, by the ops and by the solvers. */
    record DeviceTraffic(long opsToDevice, long opsFromDevice, long solvesToDevice, long solvesFromDevice) {
        /** What moved since {@code earlier}. */
        public DeviceTraffic since(DeviceTraffic earlier) {
            return new DeviceTraffic(opsToDevice - earlier.opsToDevice, opsFromDevice - earlier.opsFromDevice,
                    solvesToDevice - earlier.solvesToDevice, solvesFromDevice - earlier.solvesFromDevice);
        }
    }

    /** A backend's pick for AUTO: a concrete mode (never AUTO) and why. */
    record AutoChoice(org.pararnn.api.Mode mode, String reason) {
        public AutoChoice {
            if (mode == null || mode == org.pararnn.api.Mode.AUTO) {
                throw new IllegalArgumentException("AUTO must resolve to a concrete mode");
            }
        }
    }

    /**
     * This backend's threads shared out among {@code parts} new instances of it, each running on its own share
     * (products included) and on Java arrays, for training that many replicas of a model side by side on
     * slices of one batch (in-process data parallel, docs/design.md §5, "Shards"). The caller closes every
     * instance. Empty where the backend cannot divide itself: a device, or ops that do not take Java arrays
     * (the default).
     */
    default java.util.Optional<java.util.List<Backend>> divide(int parts) {
        return java.util.Optional.empty();
    }

    /**
     * Whether the JVM's own signal handlers stay in charge while this backend runs. Native code that
     * installs its own SIGSEGV/SIGBUS handlers without chaining (an OpenCL driver compiling kernels with
     * LLVM in the process, unless {@link SignalChaining} is in place) leaves the JVM exposed to signals it
     * raises itself, and native calls that work on the Java heap in place then risk the process. An
     * application decides with this whether such calls (OpenBLAS in place) are safe beside the backend.
     */
    default boolean keepsJvmSignalHandlers() {
        return true;
    }

    @Override
    default void close() {
    }
}
