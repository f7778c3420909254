package org.pararnn.backend.cpu.blas;

import java.lang.System.Logger.Level;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.pararnn.api.ops.HostGemm;
import org.pararnn.api.ops.JavaGemm;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.SignalChaining;

/**
 * Row-major single-precision matrix product on Java arrays with offsets and leading dimensions:
 * {@code C = alpha · op(A) · op(B) + beta · C}, {@code op(A)} of shape {@code M×K}, {@code op(B)} {@code K×N};
 * the products of the {@code cpu} backend's ops ({@link OpenBlasProducts}). An instance holds the settings of the
 * backend it serves ({@link #of(BackendOptions)}: {@link HostGemm#BLAS}, {@link HostGemm#BLAS_THRESHOLD},
 * {@link HostGemm#BLAS_IN_PLACE}); the OpenBLAS library itself is one per process, loaded on first use.
 *
 * <p>Large products, above {@link #threshold()} multiply-adds, go to OpenBLAS (bytedeco/JavaCPP). On Java 22+,
 * where allowed (the in-place option; by default wherever the JDK's signal-chaining library is preloaded, see
 * below), OpenBLAS works on the Java arrays in place ({@link HeapBlas}, from the multi-release jar); otherwise
 * the touched spans of the operands are copied to native memory per call, which costs {@code O(MK + KN + MN)}
 * against {@code O(MNK)} of work. {@link #path()} says which. Small ones run in plain Java loops
 * ({@code JavaGemm}), whose innermost loop is a contiguous AXPY that the JIT vectorises. With OpenBLAS off, or
 * if its natives cannot load (a warning names the reason once), Java loops run every product.
 */
public final class Gemm {
    private static final String THREAD_TIMEOUT = "OPENBLAS_THREAD_TIMEOUT";
    private static final System.Logger LOG = System.getLogger("org.pararnn.backend.cpu.blas");
    /** Every option at its default. */
    private static final Gemm DEFAULT = of(BackendOptions.defaults());

    /** Null when OpenBLAS may be used, else the option that turned it off, in words. */
    private final String disabledBy;
    private final long threshold;
    /**
     * Working on the Java heap from native code is safe only while the JVM's own signal handlers are in
     * charge, which a library cannot know about the process it is loaded in (an OpenCL driver compiling with
     * LLVM in the process replaces them unless they are chained; see {@code SignalChaining} and the README's
     * benchmark section for the crashes measured). So: the option when it is set, else on exactly where
     * the JDK's {@code libjsig} is preloaded ({@code ./pararnn} and the build's test JVMs do that), which
     * keeps the JVM's handlers first whatever else is loaded.
     */
    private final boolean inPlaceAllowed;
    /** Where the in-place option was set ("-Dpararnn.blas.inPlace"), or null when it was not. */
    private final String inPlaceSetBy;

    private Gemm(String disabledBy, long threshold, boolean inPlaceAllowed, String inPlaceSetBy) {
        this.disabledBy = disabledBy;
        this.threshold = threshold;
        this.inPlaceAllowed = inPlaceAllowed;
        this.inPlaceSetBy = inPlaceSetBy;
    }

    /** Products as {@code options} set them up. */
    public static Gemm of(BackendOptions options) {
        String disabledBy = options.get(HostGemm.BLAS) ? null
                : "disabled by " + options.origin(HostGemm.BLAS).orElse(HostGemm.BLAS.name()) + "=false";
        Boolean inPlace = options.find(HostGemm.BLAS_IN_PLACE).orElse(null);
        return new Gemm(disabledBy, options.get(HostGemm.BLAS_THRESHOLD),
                inPlace != null ? inPlace : SignalChaining.state() == SignalChaining.State.LOADED,
                inPlace != null ? options.origin(HostGemm.BLAS_IN_PLACE).orElseThrow() : null);
    }

    /** Every option at its default. */
    public static Gemm defaults() {
        return DEFAULT;
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

    /** Null when OpenBLAS is usable in this process, else why not. Loads it if needed. */
    public static String blasUnavailableReason() {
        return Blas.UNAVAILABLE;
    }

    /** Null when these products may use OpenBLAS, else why not (turned off, or it does not load here). */
    public String unavailableReason() {
        return disabledBy != null ? disabledBy : Blas.UNAVAILABLE;
    }

    /** OpenBLAS's thread count now, as OpenBLAS reports it; 0 when OpenBLAS is unavailable. */
    public static int blasThreadCount() {
        return Blas.UNAVAILABLE == null ? openblas_nolapack.blas_get_num_threads() : 0;
    }

    /** Multiply-adds from which OpenBLAS is used. */
    public long threshold() {
        return threshold;
    }

    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
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
    public void sgemm(int threads, boolean transA, boolean transB, int m, int n, int k, float alpha,
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
    boolean usesBlas(int m, int n, int k) {
        return k > 0 && (long) m * n * k >= threshold && disabledBy == null && Blas.UNAVAILABLE == null;
    }

    /** Holder: whether products can run on the Java arrays in place ({@link HeapBlas}), decided on first use. */
    private static final class Heap {
        static final boolean USABLE = HeapBlas.unavailableReason() == null;
    }

    private boolean inPlace() {
        return inPlaceAllowed && Heap.USABLE;
    }

    /**
     * How large products run here, in words: OpenBLAS on the Java arrays in place, OpenBLAS on native
     * copies (and why not in place), or Java loops (and why). Loads OpenBLAS if needed.
     */
    public String path() {
        if (unavailableReason() != null) {
            return "Java loops: " + unavailableReason();
        }
        String kernels = Blas.kernels == null ? "" : ", " + Blas.kernels;
        if (!inPlaceAllowed && Heap.USABLE) {
            return "OpenBLAS on native copies of the operands (in place available but off: "
                    + (inPlaceSetBy != null ? inPlaceSetBy + "=false"
                    : "the JDK's libjsig is not preloaded, " + SignalChaining.FIX + "; or -D" + HostGemm.BLAS_IN_PLACE.name()
                    + "=true where no OpenCL runtime shares the process") + ")" + kernels;
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
    public boolean inPlaceNow() {
        return unavailableReason() == null && inPlace();
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
