package org.pararnn.backend.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pararnn.api.Cell;
import org.pararnn.api.Mode;
import org.pararnn.api.ops.HostOps;
import org.pararnn.api.ops.Ops;
import org.pararnn.backend.cpu.blas.OpenBlasProducts;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.FusableCell;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;
import org.pararnn.api.spi.RecurrenceSolver;

/** The multithreaded pure-Java backend: a work-stealing pool, chunked scans, SIMD row kernels. */
final class CpuBackend implements Backend {
    static final String NAME = "cpu";
    private final CpuLoop loop;
    private final DiagonalKernels kernels;
    private final CpuScan scan;
    /** How the fused solvers run in time unless a caller asks ({@link #fused(Cell, FusedStrategy)}). */
    private final FusedStrategy strategy;
    private final Ops ops;
    private final boolean alwaysChunkScans;
    private final BackendOptions options;
    private final OpenBlasProducts products;

    /** A backend as {@code options} set it up ({@link CpuOptions}, the products' {@link org.pararnn.api.ops.HostGemm} options). */
    CpuBackend(BackendOptions options, boolean alwaysChunkScans) {
        this(options, CpuOptions.threads(options), DiagonalKernels.best(options.get(CpuOptions.SIMD)),
                options.get(CpuOptions.FUSED), alwaysChunkScans, OpenBlasProducts.of(options));
    }

    /** Tests: {@code threads}, {@code kernels} and {@code strategy} (null: AUTO), every other option at its default. */
    CpuBackend(int threads, DiagonalKernels kernels, FusedStrategy strategy) {
        this(BackendOptions.defaults().with(CpuOptions.THREADS, threads), threads, kernels,
                strategy == null ? FusedStrategy.AUTO : strategy, false, OpenBlasProducts.of(BackendOptions.defaults()));
    }

    private CpuBackend(BackendOptions options, int threads, DiagonalKernels kernels, FusedStrategy strategy,
                       boolean alwaysChunkScans, OpenBlasProducts products) {
        this.options = options;
        this.loop = new CpuLoop(threads, options.get(CpuOptions.CALLER_RUNS), options.get(CpuOptions.BURSTS));
        this.kernels = kernels;
        this.scan = new CpuScan(loop, kernels, alwaysChunkScans);
        this.strategy = strategy;
        this.alwaysChunkScans = alwaysChunkScans;
        this.products = products;
        this.ops = new HostOps(loop, kernels.activations(), "cpu (Java kernels on " + loop.parallelism() + " thread"
                + (loop.parallelism() == 1 ? "" : "s") + ")", products);
    }

    @Override
    public BackendOptions options() {
        return options;
    }

    /**
     * {@code parts} backends on {@code threads / parts} threads each (at least one), their OpenBLAS products on
     * as many: replicas running side by side then share the cores instead of each spreading over all of them
     * (two replicas each spreading over every core ran several times slower; docs/design.md §5, "Shards").
     */
    @Override
    public Optional<List<Backend>> divide(int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("a backend divides into at least 1 part, asked for " + parts);
        }
        int each = Math.max(1, loop.parallelism() / parts);
        List<Backend> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            out.add(new CpuBackend(options.with(CpuOptions.THREADS, each), each, kernels, strategy, alwaysChunkScans,
                    products.onThreads(each)));
        }
        return Optional.of(out);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String device() {
        return describe(loop.parallelism(), kernels);
    }

    static String describe(int threads, DiagonalKernels kernels) {
        return threads + " thread" + (threads == 1 ? "" : "s") + ", " + kernels.describe();
    }

    @Override
    public LinearScan scan() {
        return scan;
    }

    @Override
    public ParallelLoop loop() {
        return loop;
    }

    @Override
    public org.pararnn.api.spi.Activations activations() {
        return kernels.activations();
    }

    /**
     * The host ops on this backend's threads and activations, with OpenBLAS for the large products
     * ({@link OpenBlasProducts}): the Java arrays are this backend's device arrays.
     */
    @Override
    public Ops ops() {
        return ops;
    }

    /**
     * Fused solvers for ParaGRU and ParaLSTM, recognised by {@link Cell#type()} and checked against the
     * reference parameter shapes ({@code A [3,D]}, {@code C [2,D]}); anything else gets none.
     */
    @Override
    public Optional<RecurrenceSolver> fused(Cell cell) {
        return fused(cell, strategy);
    }

    @Override
    public Optional<RecurrenceSolver> fused(Cell cell, FusedStrategy s) {
        return FusableCell.of(cell).map(f -> {
            return f.kind() == FusableCell.Kind.PARAGRU ? new FusedParaGru(loop, kernels, f.features(), f.a(), s)
                    : new FusedParaLstm(loop, kernels.fusedRows(), f.features(), f.a(), f.c(), s);
        });
    }

    /**
     * AUTO for the cells with fused kernels: always the fused solver, which is never slower than generic
     * Newton over the scan; where solving in time pays (single-feature ParaGRU, long sequences) the fused
     * solver itself switches to its fused Newton, and its report says which ran ({@link GruNewton#pays};
     * measurements: README, "Where the defaults come from").
     */
    @Override
    public Optional<AutoChoice> autoChoice(Cell cell, int batch, int steps) {
        if (fused(cell).isEmpty()) {
            return Optional.empty();
        }
        long lanes = (long) batch * cell.stateWidth();
        return Optional.of(new AutoChoice(Mode.FUSED, "B·S = " + lanes + " features over " + steps
                + " steps: the fused solver (generic Newton measured slower at every shape; the fused one picks"
                + " sequential or Newton in time by shape)"));
    }

    @Override
    public void close() {
        loop.close();
    }
}
