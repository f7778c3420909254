package org.pararnn.backend.opencl;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import com.aparapi.device.OpenCLDevice;
import org.pararnn.api.Cell;
import org.pararnn.api.Mode;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.api.spi.SignalChaining;

/**
 * The OpenCL backend: Aparapi kernels on one device. Kernels are built lazily (the scan's at creation,
 * to prove the device works) and every use of the device is serialised by one lock, so concurrent
 * callers get exactly the single-threaded results. The cells' fused solvers are recognised by
 * {@link Cell#type()} and the reference parameter shapes, as on the CPU backend.
 */
final class OpenClBackend implements Backend {
    static final String NAME = "opencl";
    /** {@code -Dpararnn.opencl.fused=sequential|newton|auto}: the fused solvers' strategy unless a caller asks. */
    static final org.pararnn.api.spi.BackendOptions.Key<FusedStrategy> FUSED = FusedStrategy.key(NAME);


    private final OpenClDevices.Choice choice;
    private final OpenCLDevice device;
    private final ReentrantLock lock = new ReentrantLock();
    private final Chunking chunking;
    /** How the fused solvers run in time unless a caller asks ({@link #fused(Cell, FusedStrategy)}). */
    private final FusedStrategy strategy;
    private final org.pararnn.api.spi.BackendOptions options;
    private final int group;
    private final OpenClScan scan;
    private CellDevice gru;
    private CellDevice lstm;
    private DeviceKernel<TapeKernel> tapes;
    private boolean closed;

    OpenClBackend(OpenClDevices.Choice choice, Chunking chunking, org.pararnn.api.spi.BackendOptions options) {
        this.options = options;
        this.choice = choice;
        this.device = choice.device();
        this.chunking = chunking;
        this.strategy = options.get(FUSED);
        this.group = Math.max(1, Math.min(64, device.getMaxWorkGroupSize()));
        DeviceKernel<LinearScanKernel> scanKernel = new DeviceKernel<>(new LinearScanKernel(), device);
        scanKernel.compile();
        this.scan = new OpenClScan(this, scanKernel);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return choice.describe();
    }

    @Override
    public LinearScan scan() {
        return scan;
    }

    /** PoCL's LLVM replaces the JVM's handlers while it builds kernels unless libjsig chains them. */
    @Override
    public boolean keepsJvmSignalHandlers() {
        return SignalChaining.state() == SignalChaining.State.LOADED;
    }

    @Override
    public ParallelLoop loop() {
        return ParallelLoop.COMMON_POOL;
    }

    Chunking chunking() {
        return chunking;
    }

    int computeUnits() {
        return device.getMaxComputeUnits();
    }

    boolean accelerator() {
        return choice.accelerator();
    }

    /** Runs {@code work} with the device to itself. */
    void exclusive(Runnable work) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the OpenCL backend was closed");
            }
            work.run();
        } finally {
            lock.unlock();
        }
    }

    /** The scan passes of {@code dk} for {@code lanes} lanes of {@code kb} coupled values in {@code chunks} chunks. */
    void runScan(DeviceKernel<? extends ChunkedScanKernel> dk, int lanes, int chunks, int kb) {
        dk.kernel().pass = ChunkedScanKernel.PASS_LOCAL;
        launch(dk, lanes * chunks);
        combineAndFixUp(dk, lanes, chunks, kb);
    }

    /** Combine and fix-up only: the fused Newton passes run their own local scan. */
    void combineAndFixUp(DeviceKernel<? extends ChunkedScanKernel> dk, int lanes, int chunks, int kb) {
        if (chunks > 1) {
            ChunkedScanKernel k = dk.kernel();
            k.pass = ChunkedScanKernel.PASS_COMBINE;
            if (kb <= ChunkedScanKernel.MAX_TREE_BLOCK) {
                dk.launch(lanes * chunks, chunks);
            } else {
                launch(dk, lanes);
            }
            k.pass = ChunkedScanKernel.PASS_FIXUP;
            launch(dk, lanes * chunks);
        }
    }

    /**
     * Launches {@code items} work-items in groups sized for the device. A GPU gets groups of
     * {@code group} (64 or the device's limit). A CPU device runs each work-group on one thread,
     * looping over its work-items, so groups shrink until there are about four per compute unit:
     * 16 items on a 2-core PoCL device are 8 groups of 2, not one group of 16 on one core.
     */
    void launch(DeviceKernel<?> dk, int items) {
        dk.launch(items, groupFor(items));
    }

    int groupFor(int items) {
        if (choice.accelerator()) {
            return group;
        }
        int perGroup = items / (4 * Math.max(1, device.getMaxComputeUnits()));
        return Math.max(1, Math.min(group, Integer.highestOneBit(Math.max(1, perGroup))));
    }

    /** {@code current} when it already has {@code n} floats, else a new array (device buffers follow arrays). */
    static float[] sized(float[] current, int n) {
        return current != null && current.length == n ? current : new float[Math.max(1, n)];
    }

    /** The fused kernel of {@code kind} with its buffers, made (not yet built) on first use. Call under the lock. */
    CellDevice cellDevice(FusableCell.Kind kind) {
        if (kind == FusableCell.Kind.PARAGRU) {
            if (gru == null) {
                gru = new CellDevice(new DeviceKernel<>(new ParaGruKernel(), device));
            }
            return gru;
        }
        if (lstm == null) {
            lstm = new CellDevice(new DeviceKernel<>(new ParaLstmKernel(), device));
        }
        return lstm;
    }

    @Override
    public Optional<RecurrenceSolver> fused(Cell cell) {
        return fused(cell, strategy);
    }

    @Override
    public Optional<RecurrenceSolver> fused(Cell cell, FusedStrategy s) {
        return FusableCell.of(cell).map(f -> new FusedCellSolver(this, f, s));
    }

    @Override
    public org.pararnn.api.spi.BackendOptions options() {
        return options;
    }

    /** Cell tapes interpreted by {@link TapeKernel} under the device lock. */
    @Override
    public Optional<org.pararnn.api.spi.TapeRunner> tapeRunner() {
        return Optional.of(this::runTape);
    }

    /**
     * {@code program} of a cell tape run on the device for {@code rows} rows of width {@code d} (states
     * {@code h [rows][K·D]}, inputs {@code u [rows][G·D]}, the parameters' data in the tape's order): its outputs
     * {@code [rows][outputs][D]}. The first OpenCL interpreter of cell-language cells (issue #34), checked against
     * {@link org.pararnn.api.spi.CellTape.Program#run}.
     */
    float[] runTape(org.pararnn.api.spi.CellTape tape, org.pararnn.api.spi.CellTape.Program program,
                    java.util.List<float[]> params, float[] hs, float[] us, int rows, int d) {
        int hStride = tape.blocks() * d;
        int uStride = tape.gates() * d;
        org.pararnn.api.spi.CellTape.PackedParams packed = tape.pack(params, hs, us, rows, d);
        int n = program.code().size();
        int[] code = program.words();
        int outs = program.outputs().length;
        int lanes = rows * d;
        float[] result = new float[Math.max(1, rows * outs * d)];
        exclusive(() -> {
            if (tapes == null) {
                tapes = new DeviceKernel<>(new TapeKernel(), device);
            }
            TapeKernel k = tapes.kernel();
            // Fresh arrays: Aparapi copies a newly referenced array to the device at the launch.
            k.code = code;
            k.outputs = outs == 0 ? new int[1] : program.outputs().clone();
            k.offsets = packed.offsets();
            k.consts = program.constants().length == 0 ? new float[1] : program.constants().clone();
            k.params = packed.data();
            k.h = hs.clone();
            k.u = us.clone();
            k.out = result;
            k.regs = new float[Math.max(1, lanes * Math.max(1, program.registers()))];
            k.instructions = n;
            k.nOut = outs;
            k.hStride = hStride;
            k.uStride = uStride;
            k.lanes = lanes;
            k.dw = d;
            k.registers = program.registers();
            tapes.launch(lanes, groupFor(lanes));
            tapes.download(result);
        });
        return rows * outs * d == 0 ? new float[0] : result;
    }

    /** AUTO: the fused kernels for the cells that have them (one device pass per step or per Newton iteration). */
    @Override
    public Optional<AutoChoice> autoChoice(Cell cell, int batch, int steps) {
        if (fused(cell).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new AutoChoice(Mode.FUSED, "fused OpenCL kernels for " + cell.type()
                + " (the generic modes evaluate the cell on the host and move every Jacobian across the bus)"));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                scan.dispose();
                if (gru != null) {
                    gru.dispose();
                }
                if (lstm != null) {
                    lstm.dispose();
                }
                if (tapes != null) {
                    tapes.dispose();
                }
            }
        } finally {
            lock.unlock();
        }
    }
}
