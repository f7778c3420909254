package org.pararnn.api;

/**
 * Per-thread scratch arrays for default methods that need a temporary (an interface has no fields).
 * Contents are garbage on return; never hold one across calls that may also use it.
 */
public final class Scratch {
    private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[64]);

    private Scratch() {
    }

    /** A thread-confined array of at least {@code n} floats. */
    public static float[] floats(int n) {
        float[] a = FLOATS.get();
        if (a.length < n) {
            a = new float[Math.max(n, a.length * 2)];
            FLOATS.set(a);
        }
        return a;
    }
}
