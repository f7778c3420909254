package org.pararnn.backend.cpu.blas;

import org.pararnn.api.ops.HostGemm;

/**
 * The {@code cpu} backend's large products: {@link Gemm}'s OpenBLAS path for products of at least
 * {@link Gemm#blasThreshold()} multiply-adds, in place on the Java arrays where allowed. Smaller ones, and
 * all of them when OpenBLAS is unavailable, stay in the host ops' Java loops, spread over the backend's
 * threads. Also installed as the host ops' {@link HostGemm} service, so the host ops standing in for a
 * backend without ops of its own (OpenCL) use it too when this jar is on the class path, and say so.
 */
public final class OpenBlasProducts implements HostGemm {
    public static final OpenBlasProducts INSTANCE = new OpenBlasProducts();

    /** For {@link java.util.ServiceLoader}; stateless, so any instance is {@link #INSTANCE}'s equal. */
    public OpenBlasProducts() {
    }

    @Override
    public boolean accepts(int m, int n, int k) {
        return Gemm.usesBlas(m, n, k);
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        Gemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public String describe() {
        return "products of ≥ " + Gemm.blasThreshold() + " multiply-adds: " + Gemm.blasPath();
    }
}
