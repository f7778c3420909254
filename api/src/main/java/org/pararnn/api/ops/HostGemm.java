package org.pararnn.api.ops;

/**
 * A native way to run large products on Java arrays, which {@link HostOps} hands the products it accepts;
 * the rest stay in the host ops' Java loops. A backend with a BLAS gives one (the {@code cpu} backend:
 * OpenBLAS), so the model and the cells never decide how a product runs.
 */
public interface HostGemm {
    /**
     * The first {@code HostGemm} installed as a service ({@code META-INF/services}; the {@code cpu} backend's
     * jar installs OpenBLAS), or null: what the host ops standing in for a backend use for their products.
     */
    static HostGemm installed() {
        return InstalledGemm.GEMM;
    }

    /** Whether the product of {@code m × n × k} multiply-adds should run here rather than in Java loops. */
    boolean accepts(int m, int n, int k);

    /**
     * Row-major {@code C = alpha·op(A)·op(B) + beta·C} on the arrays, {@code op(A)} {@code m × k}; the
     * shapes and spans have been checked by the caller. With {@code beta = 0}, C's old values are ignored.
     */
    void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
               float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc);

    /** For the ops' one-line description: which products run here and how (e.g. on native copies). */
    String describe();
}

