package org.pararnn.backend.cpu;

/**
 * Per-thread reusable float buffers for solves whose scratch would otherwise be allocated (and zeroed)
 * on every call: at small shapes that allocation is a visible share of a solve. Only buffers up to
 * {@link #MAX_CACHED} floats are kept, so a thread never pins the scratch of a large problem. Contents
 * are not cleared: callers overwrite before they read.
 */
final class Workspace {
    static final int MAX_CACHED = 1 << 20;
    private static final int SLOTS = 4;
    private static final ThreadLocal<float[][]> CACHE = ThreadLocal.withInitial(() -> new float[SLOTS][]);

    private Workspace() {
    }

    /** A buffer of at least {@code n} floats for {@code slot} (0 … 3) of the calling thread. */
    static float[] floats(int slot, int n) {
        if (n > MAX_CACHED) {
            return new float[n];
        }
        float[][] cache = CACHE.get();
        float[] b = cache[slot];
        if (b == null || b.length < n) {
            b = new float[n];
            cache[slot] = b;
        }
        return b;
    }
}
