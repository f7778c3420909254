package org.pararnn.backend.cpu.blas;

/**
 * OpenBLAS's {@code cblas_sgemm} called on Java arrays in place, without copying them to native memory.
 *
 * <p>That needs a downcall allowed to read and write the Java heap (the Foreign Function API's critical
 * linker option, final in Java 22). This is the Java 21 build of the class, which has none:
 * {@link Gemm} then copies operands through JavaCPP. The jar is multi-release; its
 * {@code META-INF/versions/22} build of this class links the heap call when the JVM is 22 or newer.
 */
final class HeapBlas {
    private HeapBlas() {
    }

    /** Null when products on Java arrays in place are available, else why not. */
    static String unavailableReason() {
        return "needs Java 22+ (a heap-access critical downcall) and this is the Java 21 build of the class"
                + " (a jar run on Java " + Runtime.version().feature() + ", or classes outside a jar)";
    }

    /** Row-major {@code C = alpha·op(A)·op(B) + beta·C} on the arrays themselves; spans checked by the caller. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        throw new IllegalStateException(unavailableReason());
    }
}
