package org.pararnn.cells.linalg;

import java.lang.System.Logger.Level;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * Row-major single-precision matrix product on Java arrays with offsets and leading dimensions:
 * {@code C = alpha · op(A) · op(B) + beta · C}, {@code op(A)} of shape {@code M×K}, {@code op(B)} {@code K×N}.
 *
 * <p>Large products go to OpenBLAS (bytedeco/JavaCPP): the touched spans of the operands are copied to
 * native memory once per call, which costs {@code O(MK + KN + MN)} against {@code O(MNK)} of work, so it
 * pays above {@link #blasThreshold()} multiply-adds; an operand used by several products can be bound once
 * as a {@link GemmOperand} so that it is copied once. Small ones run in plain Java loops, ordered so the
 * innermost loop is a contiguous AXPY that the JIT vectorises. {@code -Dpararnn.blas=false} disables
 * OpenBLAS; if its natives cannot load, a warning names the reason once and Java loops are used.
 */
public final class Gemm {
    private static final long DEFAULT_THRESHOLD = 1L << 20;
    private static volatile long threshold = Long.getLong("pararnn.blas.threshold", DEFAULT_THRESHOLD);

    private Gemm() {
    }

    /** Holder: OpenBLAS is loaded on first use of a large product, never at class-load time. */
    private static final class Blas {
        static final String UNAVAILABLE = load();

        private static String load() {
            if (!Boolean.parseBoolean(System.getProperty("pararnn.blas", "true"))) {
                return "disabled by -Dpararnn.blas=false";
            }
            try {
                Loader.load(openblas_nolapack.class);
                if (System.getenv("OPENBLAS_THREAD_TIMEOUT") == null) {
                    // Read by OpenBLAS at load; the JVM cannot set it for itself, so say what it costs.
                    System.getLogger("org.pararnn.cells.linalg").log(Level.INFO, "OPENBLAS_THREAD_TIMEOUT is not set:"
                            + " OpenBLAS's idle threads spin between products and take cores from the Java kernels"
                            + " (an LM training step measured 84-99 ms instead of 72-81 ms on 2 cores); export"
                            + " OPENBLAS_THREAD_TIMEOUT=4 before starting the JVM (./pararnn does)");
                }
                return null;
            } catch (Throwable e) {
                String why = "OpenBLAS natives did not load (" + e + "); using Java loops for GEMM";
                System.getLogger("org.pararnn.cells.linalg").log(Level.WARNING, why);
                return why;
            }
        }
    }

    /** Null when OpenBLAS is usable, else why not. Loads it if needed. */
    public static String blasUnavailableReason() {
        return Blas.UNAVAILABLE;
    }

    /** Multiply-adds from which OpenBLAS is used. */
    public static long blasThreshold() {
        return threshold;
    }

    /** For tests and benchmarks: route products of at least {@code macs} multiply-adds to OpenBLAS. */
    public static void setBlasThreshold(long macs) {
        threshold = macs;
    }

    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (usesBlas(m, n, k)) {
            // Bind the touched spans only: the copies are what this call costs beyond the product.
            Staging st = STAGING.get();
            int spanA = (int) (transA ? span(k, m, lda) : span(m, k, lda));
            int spanB = (int) (transB ? span(n, k, ldb) : span(k, n, ldb));
            try {
                blas(transA, transB, m, n, k, alpha, st.a.bind(a, aOff, spanA), 0, lda,
                        st.b.bind(b, bOff, spanB), 0, ldb, beta, c, cOff, ldc, st);
            } finally {
                st.a.unbind();
                st.b.unbind();
            }
        } else {
            java(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * As the array form, with operands bound once and reused across products ({@link GemmOperand}): an
     * operand goes to native memory at most once per binding. Offsets are relative to the bound span.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             GemmOperand a, int aOff, int lda, GemmOperand b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        requireWithin("A", a, aOff, transA ? span(k, m, lda) : span(m, k, lda));
        requireWithin("B", b, bOff, transB ? span(n, k, ldb) : span(k, n, ldb));
        if (usesBlas(m, n, k)) {
            blas(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, STAGING.get());
        } else {
            java(transA, transB, m, n, k, alpha, a.source(), a.offset() + aOff, lda,
                    b.source(), b.offset() + bOff, ldb, beta, c, cOff, ldc);
        }
    }

    private static boolean usesBlas(int m, int n, int k) {
        return (long) m * n * k >= threshold && Blas.UNAVAILABLE == null;
    }

    private static void requireWithin(String which, GemmOperand op, int off, long span) {
        op.requireBound();
        if (off < 0 || off + span > op.length()) {
            throw new IllegalArgumentException("GEMM operand " + which + ": the product reads [" + off + ", "
                    + (off + span) + ") of a bound span of " + op.length());
        }
    }

    /** Elements spanned by a row-major {@code rows×cols} matrix with leading dimension {@code ld}. */
    private static long span(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    private static void blas(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             GemmOperand a, int aOff, int lda, GemmOperand b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, Staging st) {
        FloatPointer pa = a.staged();
        FloatPointer pb = b.staged();
        int spanC = (int) span(m, n, ldc);
        FloatPointer pc = st.c(spanC);
        if (beta != 0f || ldc != n) {
            // Gaps between rows of C belong to the caller: bring them in so they go back unchanged.
            pc.put(c, cOff, spanC);
        }
        try {
            openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
                    transA ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
                    m, n, k, alpha, pa.position(aOff), lda, pb.position(bOff), ldb, beta, pc, ldc);
        } finally {
            pa.position(0);
            pb.position(0);
        }
        pc.get(c, cOff, spanC);
    }

    private static final ThreadLocal<Staging> STAGING = ThreadLocal.withInitial(Staging::new);

    /**
     * Per-thread native areas for the array form's operands and for every product's C, grown on demand
     * and reused, so a training loop's thousands of products do not allocate native memory each call.
     */
    private static final class Staging {
        final GemmOperand a = new GemmOperand();
        final GemmOperand b = new GemmOperand();
        private FloatPointer c;

        FloatPointer c(int n) {
            long need = Math.max(1, n);
            if (c != null && c.capacity() >= need) {
                return c.position(0);
            }
            if (c != null) {
                c.close();
            }
            return c = new FloatPointer(need);
        }
    }

    static void java(boolean transA, boolean transB, int m, int n, int k, float alpha,
                     float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                     float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, ci, ci + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[ci + j] *= beta;
                }
            }
        }
        if (!transB) {
            // C[i,:] += alpha·A[i,p] · B[p,:]: contiguous AXPY over rows of B.
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int p = 0; p < k; p++) {
                    float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                    if (av == 0f) {
                        continue;
                    }
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += av * b[bp + j];
                    }
                }
            }
        } else {
            // C[i,j] += alpha·dot(op(A)[i,:], B[j,:]).
            for (int i = 0; i < m; i++) {
                int ci = cOff + i * ldc;
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float acc = 0f;
                    if (transA) {
                        for (int p = 0; p < k; p++) {
                            acc += a[aOff + p * lda + i] * b[bj + p];
                        }
                    } else {
                        int ai = aOff + i * lda;
                        for (int p = 0; p < k; p++) {
                            acc += a[ai + p] * b[bj + p];
                        }
                    }
                    c[ci + j] += alpha * acc;
                }
            }
        }
    }
}
