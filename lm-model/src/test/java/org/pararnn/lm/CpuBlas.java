package org.pararnn.lm;

import java.lang.reflect.Method;

/**
 * Whether the {@code cpu} backend's OpenBLAS loads here, for tests of the model: lm-model has that backend at run time
 * only (the model is written against the ops SPI, never against a backend), so they are reached by name.
 */
public final class CpuBlas {
    private static final String GEMM = "org.pararnn.backend.cpu.blas.Gemm";

    private CpuBlas() {
    }

    public static Class<?> gemm() {
        try {
            return Class.forName(GEMM);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("the cpu backend is not on the test class path", e);
        }
    }

    private static Object call(String name, Class<?>[] types, Object... args) {
        try {
            Method m = gemm().getMethod(name, types);
            return m.invoke(null, args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(GEMM + "." + name, e);
        }
    }

    /** Null when OpenBLAS loads, else why not. */
    public static String unavailableReason() {
        return (String) call("blasUnavailableReason", new Class<?>[0]);
    }

    /** True when the Gemm class comes from the multi-release jar (its Java 22 classes can be used). */
    public static boolean fromJar() {
        return gemm().getProtectionDomain().getCodeSource().getLocation().getPath().endsWith(".jar");
    }
}
