package org.pararnn.backend.cpu.blas;

import org.pararnn.api.ops.HostGemm;
import org.pararnn.api.spi.BackendOptions;

/**
 * The {@code cpu} backend's large products: {@link Gemm}'s OpenBLAS path for products of at least
 * {@link Gemm#threshold()} multiply-adds, in place on the Java arrays where allowed. Smaller ones, and
 * all of them when OpenBLAS is unavailable, stay in the host ops' Java loops, spread over the backend's
 * threads. Also installed as the host ops' {@link HostGemm} service, so the host ops standing in for a
 * backend without ops of its own (OpenCL) use it too when this jar is on the class path, and say so.
 */
public final class OpenBlasProducts implements HostGemm {
    /** OpenBLAS threads per product; 0: OpenBLAS's own count. */
    private final int threads;
    private final Gemm gemm;

    /**
     * For {@link java.util.ServiceLoader}: every option at its default, on as many threads as OpenBLAS started with
     * ({@code OPENBLAS_NUM_THREADS}, else every core); {@link #configured} sets it up for a backend.
     */
    public OpenBlasProducts() {
        this(Gemm.defaults(), 0);
    }

    private OpenBlasProducts(Gemm gemm, int threads) {
        this.gemm = gemm;
        this.threads = threads;
    }

    /** Products as {@code options} set them up, on OpenBLAS's own thread count. */
    public static OpenBlasProducts of(BackendOptions options) {
        return new OpenBlasProducts(Gemm.of(options), 0);
    }

    @Override
    public HostGemm configured(BackendOptions options) {
        return new OpenBlasProducts(Gemm.of(options), threads);
    }

    /** How these products run. */
    public Gemm gemm() {
        return gemm;
    }

    /**
     * Products on {@code threads} OpenBLAS threads each, for a backend that owns that share of the cores
     * (one of several side by side). OpenBLAS's count is one setting per process: callers running at the same
     * time must ask for the same count ({@link Gemm#sgemm(int, boolean, boolean, int, int, int, float, float[], int, int,
     * float[], int, int, float, float[], int, int)}).
     */
    public OpenBlasProducts onThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("OpenBLAS products need at least one thread, got " + threads);
        }
        return new OpenBlasProducts(gemm, threads);
    }

    @Override
    public boolean accepts(int m, int n, int k) {
        return gemm.usesBlas(m, n, k);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        gemm.sgemm(threads, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public String describe() {
        return "products of ≥ " + gemm.threshold() + " multiply-adds: " + gemm.path()
                + (threads == 0 ? "" : ", " + threads + " OpenBLAS thread" + (threads == 1 ? "" : "s") + " each");
    }
}
