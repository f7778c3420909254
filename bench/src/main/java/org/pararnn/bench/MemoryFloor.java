package org.pararnn.bench;

import java.util.stream.IntStream;

/**
 * The bytes of a sequential fused-cell forward and nothing else: read the 3 floats of {@code u}, write the
 * {@code k} floats of the state per element-step (ParaGRU k = 1: 16 B; ParaLSTM k = 2, c and h: 20 B), on
 * all cores. {@code floor time / mode time} is the fraction of the memory floor a mode reaches.
 */
public final class MemoryFloor {
    private MemoryFloor() {
    }

    /** {@code rows} rows of {@code width} features: {@code u [rows][3][width]} into {@code h [rows][k][width]}. */
    public static void stream(float[] u, float[] h, int rows, int width, int k) {
        stream(u, h, rows, width, k, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #stream(float[], float[], int, int, int)} on {@code threads} threads (1: on the caller's, no fork). */
    public static void stream(float[] u, float[] h, int rows, int width, int k, int threads) {
        (threads == 1 ? IntStream.range(0, 1) : IntStream.range(0, threads).parallel()).forEach(part -> {
            int r0 = (int) ((long) rows * part / threads);
            int r1 = (int) ((long) rows * (part + 1) / threads);
            for (int r = r0; r < r1; r++) {
                int uo = r * 3 * width;
                int ho = r * k * width;
                for (int d = 0; d < width; d++) {
                    float v = u[uo + d] + u[uo + width + d] + u[uo + 2 * width + d];
                    for (int i = 0; i < k; i++) {
                        h[ho + i * width + d] = v;
                    }
                }
            }
        });
    }

    /**
     * Reads {@code in} and writes {@code out} once each, on all cores: the bytes of a pass that must read
     * {@code in.length} floats and write {@code out.length} (a scan reads its coefficients and right-hand side and
     * writes its states). Folds the inputs into the outputs so that neither side can be skipped.
     */
    public static void pass(float[] in, float[] out) {
        pass(in, out, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #pass(float[], float[])} on {@code threads} threads (1: on the caller's, no fork). */
    public static void pass(float[] in, float[] out, int threads) {
        int ratio = Math.max(1, in.length / Math.max(1, out.length));
        (threads == 1 ? IntStream.range(0, 1) : IntStream.range(0, threads).parallel()).forEach(part -> {
            int o0 = (int) ((long) out.length * part / threads);
            int o1 = (int) ((long) out.length * (part + 1) / threads);
            for (int o = o0; o < o1; o++) {
                float v = 0f;
                int base = (int) ((long) o * ratio);
                for (int k = 0; k < ratio && base + k < in.length; k++) {
                    v += in[base + k];
                }
                out[o] = v;
            }
        });
    }
}
