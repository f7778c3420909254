package org.pararnn.api.ops;

/**
 * Row-major single-precision GEMM, {@code C = α·op(A)·op(B) + β·C} with BLAS's meaning of the arguments,
 * in plain Java loops: the host ops' products, and the small products of the cells' OpenBLAS path. The
 * innermost loop is a contiguous AXPY (or dot product, for a transposed B) that the JIT vectorises;
 * the order of the sums is fixed, so results are deterministic. The layout checks are public so that
 * every GEMM of the project refuses the same bad input with the same words.
 */
public final class JavaGemm {
    private JavaGemm() {
    }

    /** The product, after {@link #requireLayout} and {@link #requireWithin} for each operand. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        requireLayout(transA, transB, m, n, k, lda, ldb, ldc);
        requireWithin("A", a.length, aOff, transA ? span(k, m, lda) : span(m, k, lda));
        requireWithin("B", b.length, bOff, transB ? span(n, k, ldb) : span(k, n, ldb));
        requireWithin("C", c.length, cOff, span(m, n, ldc));
        loops(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * Dimensions and leading dimensions of a row-major product, checked before any of it runs: OpenBLAS
     * would only print a complaint and leave C untouched, and a call on arrays in place must never address
     * memory outside them.
     */
    public static void requireLayout(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("GEMM dimensions must be >= 0, got m=" + m + " n=" + n + " k=" + k);
        }
        requireLeading("lda", lda, transA ? m : k);
        requireLeading("ldb", ldb, transB ? k : n);
        requireLeading("ldc", ldc, n);
    }

    private static void requireLeading(String name, int ld, int columns) {
        if (ld < Math.max(1, columns)) {
            throw new IllegalArgumentException("GEMM " + name + " = " + ld + " is less than the " + columns
                    + " columns of its row-major matrix (or < 1)");
        }
    }

    public static void requireWithin(String which, int length, int off, long span) {
        if (off < 0 || off + span > length) {
            throw new IllegalArgumentException("GEMM operand " + which + ": the product touches [" + off + ", "
                    + (off + span) + ") of " + length + " elements");
        }
    }

    /** Elements spanned by a row-major {@code rows×cols} matrix with leading dimension {@code ld}. */
    public static long span(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    /** The product's loops, unchecked: callers have checked the layout. */
    public static void loops(boolean transA, boolean transB, int m, int n, int k, float alpha,
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
