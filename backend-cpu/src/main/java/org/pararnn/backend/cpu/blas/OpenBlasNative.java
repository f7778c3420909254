package org.pararnn.backend.cpu.blas;

/**
 * The few native calls around loading OpenBLAS: setting an environment variable OpenBLAS reads when it
 * initialises (and reading it back), and asking it which kernels it runs. This is the Java 21 build of the class, which can do
 * neither (both need the Foreign Function API, final in Java 22); the multi-release jar's
 * {@code META-INF/versions/22} build does both.
 */
final class OpenBlasNative {
    private OpenBlasNative() {
    }

    /** Null when {@code name} was set to {@code value} in this process's C environment, else why not. */
    static String setEnvironment(String name, String value) {
        return "setting " + name + " from Java needs Java 22+ (this is the Java 21 build of the class)";
    }

    /** {@code name} in this process's C environment, or null when unset or when that cannot be asked here. */
    static String getEnvironment(String name) {
        return null;
    }

    /** The kernels OpenBLAS runs ({@code openblas_get_corename}), or null when that cannot be asked here. */
    static String coreName() {
        return null;
    }
}
