package org.pararnn.backend.cpu;

import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;

/** The multithreaded pure-Java backend: a work-stealing pool, chunked scans, SIMD row kernels. */
final class CpuBackend implements Backend {
    static final String NAME = "cpu";
    private final CpuLoop loop;
    private final DiagonalKernels kernels;
    private final CpuScan scan;

    CpuBackend(int threads, DiagonalKernels kernels) {
        this.loop = new CpuLoop(threads);
        this.kernels = kernels;
        this.scan = new CpuScan(loop, kernels);
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
    public void close() {
        loop.close();
    }
}
