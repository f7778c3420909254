package org.pararnn.backend.cpu.blas;

import java.lang.System.Logger.Level;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.pararnn.api.ops.JavaGemm;
import org.pararnn.api.spi.SignalChaining;

/**
 * Row-major single-precision matrix product on Java arrays with offsets and leading dimensions:
 * {@code C = alpha · op(A) · op(B) + beta · C}, {@code op(A)} of shape {@code M×K}, {@code op(B)} {@code K×N};
 * the products of the {@code cpu} backend's ops ({@link OpenBlasProducts}).
 *
 * <p>Large products, above {@link #blasThreshold()} multiply-adds, go to OpenBLAS (bytedeco/JavaCPP). On
 * Java 22+, where allowed ({@link #setInPlaceAllowed}, {@code -Dpararnn.blas.inPlace}; by default wherever
 * the JDK's signal-chaining library is preloaded, see below), OpenBLAS works on the Java arrays in place
 * ({@link HeapBlas}, from the multi-release jar); otherwise the touched spans of the operands are copied to
 * native memory per call, which costs {@code O(MK + KN + MN)} against {@code O(MNK)} of work.
 * {@link #blasPath()} says which. Small ones run in plain Java loops ({@code JavaGemm}), whose innermost
 * loop is a contiguous AXPY that the JIT vectorises. {@code -Dpararnn.blas=false} disables OpenBLAS; if its
 * natives cannot load, a warning names the reason once and Java loops are used.
 */
public final class Gemm {
    private static final long DEFAULT_THRESHOLD = 1L << 20;
    private static final String THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT";
    private static final System.Logger LOG = System.getLogger("org.pararnn.backend.cpu.blas");
    private static volatile long threshold = Long.getLong("pararnn.blas.threshold", DEFAULT_THRESHOLD);
    /** {@code -Dpararnn.blas.inPlace=true|false}: the in-place path's setting at start-up. */
    public static final String IN_PLACE_PROPERTY = "pararnn.blas.inPlace";
    /**
     * Working on the Java heap from native code is safe only while the JVM's own signal handlers are in
     * charge, which a library cannot know about the process it is loaded in (an OpenCL driver compiling with
     * LLVM in the process replaces them unless they are chained; see {@code SignalChaining} and the README's
     * benchmark section for the crashes measured). So: the property when it is set, else on exactly where
     * the JDK's {@code libjsig} is preloaded ({@code ./pararnn} and the build's test JVMs do that), which
     * keeps the JVM's handlers first whatever else is loaded.
     */
    private static volatile boolean inPlaceAllowed = System.getProperty(IN_PLACE_PROPERTY) != null
            ? Boolean.getBoolean(IN_PLACE_PROPERTY)
            : SignalChaining.state() == SignalChaining.State.LOADED;

    private Gemm() {
    }

    /** Holder: OpenBLAS is loaded on first use of a large product, never at class-load time. */
    private static final class Blas {
        /** Which kernels OpenBLAS runs and what set them, as {@link #blasPath()} says it; null when nothing is known. */
        static String kernels;
        static final String UNAVAILABLE = load();
        /** OpenBLAS's thread count as it started, and as last set here. */
        static final int STARTED = UNAVAILABLE == null ? openblas_nolapack.blas_get_num_threads() : 1;
        static volatile int current = STARTED;

        /** Makes OpenBLAS's (process-wide) thread count {@code wanted}, or what it started with for 0. */
        static void threads(int wanted) {
            int n = wanted == 0 ? STARTED : wanted;
            if (n != current) {
                synchronized (Blas.class) {
                    if (n != current) {
                        openblas_nolapack.blas_set_num_threads(n);
                        current = n;
                    }
                }
            }
        }

        private static String load() {
            if (!Boolean.parseBoolean(System.getProperty("pararnn.blas", "true"))) {
                return "disabled by -Dpararnn.blas=false";
            }
            try {
                // OpenBLAS reads it once, when it initialises: set before the library is loaded.
                String timeoutNotSet = System.getenv(THREAD_TIMEOUT) != null ? null
                        : OpenBlasNative.setEnvironment(THREAD_TIMEOUT, "4");
                Loader.load(openblas_nolapack.class);
                if (timeoutNotSet != null) {
                    LOG.log(Level.INFO, THREAD_TIMEOUT + " is not set (" + timeoutNotSet + "): OpenBLAS's idle threads"
                            + " spin between products and take cores from the Java kernels (docs/design.md §6,"
                            + " \"OpenBLAS's kernels\"); export " + THREAD_TIMEOUT + "=4 before starting the JVM"
                            + " (./pararnn does)");
                }
                String running = OpenBlasNative.coreName();
                String note = OpenBlasCoreType.note(System.getenv(OpenBlasCoreType.ENVIRONMENT), CpuIdentity.read());
                kernels = running == null ? note : running + " kernels" + (note == null ? "" : " (" + note + ")");
                return null;
            } catch (Throwable e) {
                String why = "OpenBLAS natives did not load (" + e + "); using Java loops for GEMM";
                LOG.log(Level.WARNING, why);
                return why;
            }
        }
    }

    /** Null when OpenBLAS is usable, else why not. Loads it if needed. */
    public static String blasUnavailableReason() {
        return Blas.UNAVAILABLE;
    }

    /** OpenBLAS's thread count now, as OpenBLAS reports it; 0 when OpenBLAS is unavailable. */
    public static int blasThreadCount() {
        return Blas.UNAVAILABLE == null ? openblas_nolapack.blas_get_num_threads() : 0;
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
        sgemm(0, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * As the other {@code sgemm}, on {@code threads} OpenBLAS threads if OpenBLAS runs it (0: the count OpenBLAS
     * started with). OpenBLAS has one count per process, set here when a product asks for another one; products
     * that run at the same time on different threads must therefore ask for the same count (several replicas
     * of a model side by side all ask for one thread each, and the full model's products, its evaluations, run
     * between their steps).
     */
    public static void sgemm(int threads, boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        JavaGemm.requireLayout(transA, transB, m, n, k, lda, ldb, ldc);
        JavaGemm.requireWithin("A", a.length, aOff, transA ? JavaGemm.span(k, m, lda) : JavaGemm.span(m, k, lda));
        JavaGemm.requireWithin("B", b.length, bOff, transB ? JavaGemm.span(n, k, ldb) : JavaGemm.span(k, n, ldb));
        JavaGemm.requireWithin("C", c.length, cOff, JavaGemm.span(m, n, ldc));
        if (!usesBlas(m, n, k)) {
            JavaGemm.loops(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        Blas.threads(threads);
        if (inPlace()) {
            HeapBlas.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            // Bind the touched spans only: the copies are what this call costs beyond the product.
            Staging st = STAGING.get();
            int spanA = (int) (transA ? JavaGemm.span(k, m, lda) : JavaGemm.span(m, k, lda));
            int spanB = (int) (transB ? JavaGemm.span(n, k, ldb) : JavaGemm.span(k, n, ldb));
            try {
                copying(transA, transB, m, n, k, alpha, st.a.bind(a, aOff, spanA), 0, lda,
                        st.b.bind(b, bOff, spanB), 0, ldb, beta, c, cOff, ldc, st);
            } finally {
                st.a.unbind();
                st.b.unbind();
            }
        }
    }

    /** An empty inner dimension ({@code k = 0}) only scales C: the Java loops do that, OpenBLAS refuses lda 0. */
    static boolean usesBlas(int m, int n, int k) {
        return k > 0 && (long) m * n * k >= threshold && Blas.UNAVAILABLE == null;
    }

    /** Holder: whether products can run on the Java arrays in place ({@link HeapBlas}), decided on first use. */
    private static final class Heap {
        static final boolean USABLE = HeapBlas.unavailableReason() == null;
    }

    private static boolean inPlace() {
        return inPlaceAllowed && Heap.USABLE;
    }

    /**
     * Whether OpenBLAS may work on the arrays in place where this JVM allows it (default: the
     * {@code pararnn.blas.inPlace} property, false); false forces the native copies.
     */
    public static void setInPlaceAllowed(boolean allowed) {
        inPlaceAllowed = allowed;
    }

    /**
     * How large products run here, in words: OpenBLAS on the Java arrays in place, OpenBLAS on native
     * copies (and why not in place), or Java loops (and why). Loads OpenBLAS if needed.
     */
    public static String blasPath() {
        if (Blas.UNAVAILABLE != null) {
            return "Java loops: " + Blas.UNAVAILABLE;
        }
        String kernels = Blas.kernels == null ? "" : ", " + Blas.kernels;
        if (Heap.USABLE && !inPlaceAllowed) {
            return "OpenBLAS on native copies of the operands (in place available but off: "
                    + (System.getProperty(IN_PLACE_PROPERTY) != null ? "-Dpararnn.blas.inPlace=false"
                    : "the JDK's libjsig is not preloaded, " + SignalChaining.FIX + "; or -Dpararnn.blas.inPlace=true"
                    + " where no OpenCL runtime shares the process") + ")" + kernels;
        }
        return (Heap.USABLE ? "OpenBLAS on the Java arrays in place (critical downcall)"
                : "OpenBLAS on native copies of the operands (in place " + HeapBlas.unavailableReason() + ")") + kernels;
    }

    /** The kernels OpenBLAS runs as it names them ({@code SkylakeX}, {@code Haswell}, …), or null where that cannot be asked (Java 21). */
    public static String blasKernels() {
        return Blas.UNAVAILABLE == null ? OpenBlasNative.coreName() : null;
    }

    /** {@code name} in this process's C environment (what OpenBLAS read), or null where unset or where that cannot be asked (Java 21). */
    static String nativeEnvironment(String name) {
        return OpenBlasNative.getEnvironment(name);
    }

    /** True when large products run on the Java arrays in place, without native copies. */
    public static boolean blasInPlace() {
        return Blas.UNAVAILABLE == null && inPlace();
    }

    private static void copying(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             GemmOperand a, int aOff, int lda, GemmOperand b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc, Staging st) {
        FloatPointer pa = a.staged();
        FloatPointer pb = b.staged();
        int spanC = (int) JavaGemm.span(m, n, ldc);
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

}
