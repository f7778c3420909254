package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.pararnn.api.Cell;
import org.pararnn.api.Mode;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.SolveReport;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.api.spi.ResidentRecurrence;
import org.pararnn.api.spi.ResidentSolver;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;

/**
 * A backend on one {@link CudaDevice}: {@code cuda} on a GPU through the JCuda driver API, or
 * {@code cuda-emulated}, the same kernels and host code on the CPU for testing. Each solving thread takes a
 * {@link Lane} (its own stream, staging and device buffers) from a pool and gives it back, so concurrent
 * callers neither share buffers nor wait for each other's copies. The bytes moved each way and the kernel
 * time are counted for reports.
 */
final class CudaBackend implements Backend {

    /** One solving thread's stream and the device buffers its scans keep from call to call. */
    static final class Lane {
        final CudaDevice.Stream stream;
        final CudaScan.DeviceArray a = new CudaScan.DeviceArray();
        final CudaScan.DeviceArray b = new CudaScan.DeviceArray();
        final CudaScan.DeviceArray init = new CudaScan.DeviceArray();
        final CudaScan.DeviceArray out = new CudaScan.DeviceArray();
        /** The fused solvers' buffers, by what they hold. */
        private final java.util.Map<String, CudaScan.DeviceArray> named = new java.util.HashMap<>();

        Lane(CudaDevice.Stream stream) {
            this.stream = stream;
        }

        /** A buffer of at least {@code floats} floats kept under {@code name} for this lane's next calls. */
        CudaDevice.Buffer buffer(String name, long floats) {
            CudaScan.DeviceArray arr = named.computeIfAbsent(name, n -> new CudaScan.DeviceArray());
            arr.ensure(stream, floats);
            return arr.buffer;
        }

        void close() {
            a.free(stream);
            b.free(stream);
            init.free(stream);
            out.free(stream);
            for (CudaScan.DeviceArray arr : named.values()) {
                arr.free(stream);
            }
            stream.close();
        }
    }

    /** {@code -Dpararnn.cuda.fused=sequential|newton|auto}: how the fused cell kernels run in time unless a caller asks. */
    static final org.pararnn.api.spi.BackendOptions.Key<FusedStrategy> FUSED = FusedStrategy.key("cuda");

    private final String name;
    private final CudaDevice device;
    private final ScanGeometry geometry;
    /** How the fused kernels run in time unless a caller asks ({@link #fused(Cell, FusedStrategy)}). */
    private final FusedStrategy strategy;
    private final org.pararnn.api.spi.BackendOptions options;
    private final CudaScan scan;
    private final ConcurrentLinkedQueue<Lane> idle = new ConcurrentLinkedQueue<>();
    private final List<Lane> all = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    /** Made on first use: its stream and buffers are the backend's until it closes. */
    private CudaOps ops;

    /** Tests and timings: fused kernels running {@code strategy}, every other option at its default. */
    CudaBackend(String name, CudaDevice device, ScanGeometry geometry, FusedStrategy strategy) {
        this(name, device, geometry, org.pararnn.api.spi.BackendOptions.defaults().with(FUSED, strategy));
    }

    CudaBackend(String name, CudaDevice device, ScanGeometry geometry, org.pararnn.api.spi.BackendOptions options) {
        this.name = name;
        this.device = device;
        this.geometry = geometry;
        this.options = options;
        this.strategy = options.get(FUSED);
        this.scan = new CudaScan(this, geometry);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return device.describe();
    }

    @Override
    public LinearScan scan() {
        return scan;
    }

    @Override
    public ParallelLoop loop() {
        return ParallelLoop.COMMON_POOL;
    }

    @Override
    public java.util.Optional<RecurrenceSolver> fused(Cell cell) {
        return fused(cell, strategy);
    }

    @Override
    public java.util.Optional<RecurrenceSolver> fused(Cell cell, FusedStrategy s) {
        return FusableCell.of(cell).map(f -> new CudaFusedSolver(this, f, s, geometry));
    }

    @Override
    public org.pararnn.api.spi.BackendOptions options() {
        return options;
    }

    /** Cell tapes interpreted by {@code pararnn_tape_run}, a stream of their own per call. */
    @Override
    public java.util.Optional<org.pararnn.api.spi.TapeRunner> tapeRunner() {
        return java.util.Optional.of((tape, program, params, h, u, rows, d) -> {
            if (closed) {
                throw new IllegalStateException("the " + name + " backend was closed");
            }
            return TapeKernel.run(device, tape, program, params, h, u, rows, d);
        });
    }

    /**
     * The fused kernels on the ops' arrays, for the cells that have them: a training step's cell input, states
     * and gradients stay on the device.
     */
    @Override
    public java.util.Optional<ResidentSolver> resident(Cell cell) {
        return FusableCell.of(cell).map(f -> {
            CudaFusedSolver fused = new CudaFusedSolver(this, f, strategy, geometry);
            return new ResidentSolver() {
                @Override
                public SolveReport forward(ResidentRecurrence p, DeviceArray states) {
                    return fused.forward(opsFor(p, cell), p, states);
                }

                @Override
                public SolveReport backward(ResidentRecurrence p, DeviceArray states, DeviceArray gradStates, DeviceArray gradU,
                                            DeviceArray gradInit) {
                    return fused.backward(opsFor(p, cell), p, states, gradStates, gradU, gradInit);
                }
            };
        });
    }

    private CudaOps opsFor(ResidentRecurrence p, Cell cell) {
        if (p.cell() != cell) {
            throw new IllegalArgumentException("this resident solver was made for " + cell.type() + " cell " + cell
                    + ", not for " + p.cell());
        }
        return (CudaOps) ops();
    }

    /** The layouts this backend's kernels are planned by. */
    ScanGeometry geometry() {
        return geometry;
    }

    /** The scans on this device laid out by another geometry (timings: the windowed layout beside the chosen one). */
    CudaScan scan(ScanGeometry other) {
        return new CudaScan(this, other);
    }

    /** A fused solver laid out by another geometry (timings). */
    CudaFusedSolver fused(FusableCell cell, FusedStrategy strategy, ScanGeometry other) {
        return new CudaFusedSolver(this, cell, strategy, other);
    }

    CudaFusedSolver fused(FusableCell cell, FusedStrategy strategy) {
        return new CudaFusedSolver(this, cell, strategy, geometry);
    }

    /** AUTO: the fused kernels for the cells that have them. */
    @Override
    public java.util.Optional<AutoChoice> autoChoice(Cell cell, int batch, int steps) {
        if (FusableCell.of(cell).isEmpty()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new AutoChoice(Mode.FUSED, "fused " + name + " kernels for " + cell.type()
                + " (the generic modes evaluate the cell on the host and move every Jacobian across the bus)"));
    }

    /** The ops of a training step as kernels of {@code ops.cu} on this backend's device. */
    @Override
    public synchronized org.pararnn.api.ops.Ops ops() {
        if (closed) {
            throw new IllegalStateException("the " + name + " backend was closed");
        }
        if (ops == null) {
            ops = new CudaOps(name, device);
        }
        return ops;
    }

    /** Runs {@code work} on a lane of its own (a new one when every lane is in use). */
    void onLane(Consumer<Lane> work) {
        if (closed) {
            throw new IllegalStateException("the " + name + " backend was closed");
        }
        Lane lane = idle.poll();
        if (lane == null) {
            lane = new Lane(device.newStream());
            all.add(lane);
        }
        try {
            work.accept(lane);
        } finally {
            idle.add(lane);
        }
    }

    /** Kernel time on the device since the backend was made. */
    /** What the device's kernels did so far, where the device counts it (the emulator); else null. */
    KernelTally counts() {
        return device.counts();
    }

    @Override
    public java.util.Optional<KernelTally> kernelTally() {
        return java.util.Optional.ofNullable(device.counts());
    }

    long kernelNanos() {
        return device.kernelNanos();
    }

    /** Device time of a device-to-device copy of {@code floats} floats: the memory floor of a kernel that moves as much. */
    long copyNanos(long floats) {
        return device.copyOnDevice(floats);
    }

    @Override
    public synchronized java.util.Optional<DeviceTraffic> traffic() {
        long up = 0;
        long down = 0;
        for (Lane l : all) {
            up += l.stream.bytesUp();
            down += l.stream.bytesDown();
        }
        if (ops != null) { // resident solves run on the ops' stream
            long[] resident = ops.solveBytes();
            up += resident[0];
            down += resident[1];
        }
        return java.util.Optional.of(new DeviceTraffic(ops == null ? 0 : ops.bytesUp(), ops == null ? 0 : ops.bytesDown(), up, down));
    }

    /** Frees every lane and the device; call once no solve is running. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (ops != null) {
                ops.close();
            }
            for (Lane l : all) {
                l.close();
            }
            all.clear();
            idle.clear();
            device.close();
        }
    }
}
