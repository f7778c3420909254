package org.pararnn.api.ops;

/**
 * A native way to run large products on Java arrays, which {@link HostOps} hands the products it accepts;
 * the rest stay in the host ops' Java loops. A backend with a BLAS gives one (the {@code cpu} backend:
 * OpenBLAS), so the model and the cells never decide how a product runs.
 */
public interface HostGemm {
    /** Whether a native BLAS may run large products at all (default on); off: every product in Java loops. */
    org.pararnn.api.spi.BackendOptions.Key<Boolean> BLAS = org.pararnn.api.spi.BackendOptions.Key.flag("pararnn.blas", true);
    /** Multiply-adds from which a product goes to the native BLAS (default 2²⁰). */
    org.pararnn.api.spi.BackendOptions.Key<Long> BLAS_THRESHOLD =
            org.pararnn.api.spi.BackendOptions.Key.wholeLong("pararnn.blas.threshold", 1L << 20, 0);
    /**
     * Whether the native BLAS may work on the Java arrays in place (Java 22+) rather than on native copies; unset:
     * the BLAS decides by what is safe in this process (docs/design.md §6, "OpenBLAS's kernels").
     */
    org.pararnn.api.spi.BackendOptions.Key<Boolean> BLAS_IN_PLACE =
            org.pararnn.api.spi.BackendOptions.Key.optionalFlag("pararnn.blas.inPlace");
    /**
     * The first {@code HostGemm} installed as a service ({@code META-INF/services}; the {@code cpu} backend's
     * jar installs OpenBLAS) set up by {@code options} ({@link #configured}), or null: what the host ops standing
     * in for a backend use for their products.
     */
    static HostGemm installed(org.pararnn.api.spi.BackendOptions options) {
        return InstalledGemm.GEMM == null ? null : InstalledGemm.GEMM.configured(options);
    }

    /** This kind of products set up by the options of the backend they serve (thresholds, paths); itself by default. */
    default HostGemm configured(org.pararnn.api.spi.BackendOptions options) {
        return this;
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

