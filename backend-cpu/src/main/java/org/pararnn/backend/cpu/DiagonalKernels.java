package org.pararnn.backend.cpu;

/**
 * The row kernels of diagonal scans, over {@code n} contiguous features. Two implementations give
 * bit-identical results (both use fused multiply-add): {@link ScalarDiagonalKernels}, and
 * {@code VectorDiagonalKernels} on the Vector API, loaded only when {@code jdk.incubator.vector} is in
 * the boot layer (and {@link CpuOptions#SIMD} is not {@code false}).
 */
interface DiagonalKernels {

    /** {@code out = a ⊙ x + b}; {@code out} may alias {@code b} (same offset). */
    void fma(float[] a, int aOff, float[] x, int xOff, float[] b, int bOff, float[] out, int oOff, int n);

    /** {@code y = a ⊙ x + y} with a scalar {@code x}, in place. */
    void fmaScalar(float[] a, int aOff, float x, float[] y, int yOff, int n);

    /** {@code δ = a ⊙ δ; out += δ}: propagating a carry through one step of a chunk fix-up. */
    void propagateAdd(float[] a, int aOff, float[] delta, float[] out, int oOff, int n);

    /** {@code p = a ⊙ p}: accumulating a chunk's transition product. */
    void scale(float[] a, int aOff, float[] p, int n);

    /** Human description for probes and reports. */
    String describe();

    /** Floats per vector (1 for scalar). */
    int lanes();

    /** Sigmoid over arrays with {@link FastMath}, SIMD in the vector kind (bit-identical across kinds). */
    default org.pararnn.api.spi.Activations activations() {
        return new org.pararnn.api.spi.Activations() {
            @Override
            public void sigmoid(float[] x, int off, int n) {
                for (int i = off; i < off + n; i++) {
                    x[i] = FastMath.sigmoid(x[i]);
                }
            }

            @Override
            public String describe() {
                return "FastMath, scalar";
            }
        };
    }

    /** The fused cell kernels of the same kind (bit-identical across kinds). */
    default FusedRows fusedRows() {
        return ScalarFusedRows.INSTANCE;
    }

    /** {@link #best(boolean)} with SIMD allowed. */
    static DiagonalKernels best() {
        return best(true);
    }

    /** The Vector API's kernels where the JVM has its module and {@code simd} allows, else scalar ones that say why. */
    static DiagonalKernels best(boolean simd) {
        boolean wanted = simd;
        if (wanted && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (DiagonalKernels) Class.forName("org.pararnn.backend.cpu.VectorDiagonalKernels")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return new ScalarDiagonalKernels("scalar (Vector API failed to load: " + e + ")");
            }
        }
        return new ScalarDiagonalKernels(wanted ? "scalar (start the JVM with --add-modules jdk.incubator.vector for SIMD)"
                : "scalar (" + CpuOptions.SIMD.name() + "=false)");
    }
}
