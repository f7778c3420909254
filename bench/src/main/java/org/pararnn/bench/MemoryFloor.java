package org.pararnn.bench;

import java.util.stream.IntStream;

/**
 * The bytes of a sequential fused-cell forward and nothing else: read the 3 floats of {@code u}, write the
 * {@code k} floats of the state per element-step (ParaGRU k = 1: 16 B; ParaLSTM k = 2, c and h: 20 B), on
 * all cores. {@code floor time / mode time} is the fraction of the memory floor a mode reaches.
 */
final class MemoryFloor {
    private MemoryFloor() {
    }

    /** {@code rows} rows of {@code width} features: {@code u [rows][3][width]} into {@code h [rows][k][width]}. */
    static void stream(float[] u, float[] h, int rows, int width, int k) {
        int threads = Runtime.getRuntime().availableProcessors();
        IntStream.range(0, threads).parallel().forEach(part -> {
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
}
