package org.pararnn.backend.cpu.blas;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * OpenBLAS's {@code cblas_sgemm} called on Java arrays in place, without copying them to native memory
 * (Java 22+ build of the class, selected from the multi-release jar).
 *
 * <p>The downcall is linked with {@link Linker.Option#critical(boolean) critical(true)}: the JVM lets
 * the native code address heap arrays directly and holds off garbage collection for the duration of the
 * call. That suits a product (well under a few milliseconds here) that never calls back into Java; what
 * it saves is the copy of every operand in and of C back out, which in a language-model training step
 * is a quarter of the time on the main thread. The symbol is looked up in the very OpenBLAS library that
 * JavaCPP loaded, so thread settings and the library instance are shared with the copying path.
 */
final class HeapBlas {
    private static final int ROW_MAJOR = 101;
    private static final int NO_TRANS = 111;
    private static final int TRANS = 112;

    private HeapBlas() {
    }

    /** Linked on first use, after {@link Gemm} has loaded OpenBLAS; null handle when unavailable. */
    private static final class Link {
        static final String UNAVAILABLE;
        static final MethodHandle SGEMM;

        static {
            MethodHandle handle = null;
            String why = null;
            if (Gemm.blasUnavailableReason() != null) {
                why = Gemm.blasUnavailableReason();
            } else {
                try {
                    MemorySegment symbol = OpenBlasNative.openBlas().find("cblas_sgemm").orElseThrow(
                            () -> new IllegalStateException("cblas_sgemm not found in the loaded OpenBLAS"));
                    ValueLayout i = ValueLayout.JAVA_INT;
                    ValueLayout f = ValueLayout.JAVA_FLOAT;
                    ValueLayout p = ValueLayout.ADDRESS;
                    handle = Linker.nativeLinker().downcallHandle(symbol,
                            FunctionDescriptor.ofVoid(i, i, i, i, i, i, f, p, i, p, i, f, p, i),
                            Linker.Option.critical(true));
                } catch (Throwable e) {
                    // IllegalCallerException when native access is denied (--enable-native-access), among others.
                    why = "the heap-access downcall to OpenBLAS could not be linked (" + e + ")";
                    handle = null;
                }
            }
            SGEMM = handle;
            UNAVAILABLE = why;
        }
    }

    /** Null when products on Java arrays in place are available, else why not. */
    static String unavailableReason() {
        return Link.UNAVAILABLE;
    }

    /** Row-major {@code C = alpha·op(A)·op(B) + beta·C} on the arrays themselves; spans checked by the caller. */
    static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                      float beta, float[] c, int cOff, int ldc) {
        if (Link.SGEMM == null) {
            throw new IllegalStateException(Link.UNAVAILABLE);
        }
        try {
            Link.SGEMM.invokeExact(ROW_MAJOR, transA ? TRANS : NO_TRANS, transB ? TRANS : NO_TRANS, m, n, k, alpha,
                    slice(a, aOff), lda, slice(b, bOff), ldb, beta, slice(c, cOff), ldc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("cblas_sgemm downcall failed", e);
        }
    }

    private static MemorySegment slice(float[] array, int offset) {
        MemorySegment whole = MemorySegment.ofArray(array);
        return offset == 0 ? whole : whole.asSlice((long) offset * Float.BYTES);
    }
}
