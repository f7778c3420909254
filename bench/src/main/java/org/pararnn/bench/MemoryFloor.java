package org.pararnn.bench;

import java.util.stream.IntStream;

/**
 * The bytes of a sequential GRU forward and nothing else: read the 3 floats of {@code u}, write the 1
 * float of {@code h} per element-step (16 B), on all cores. {@code floor time / mode time} is the
 * fraction of the memory floor a mode reaches.
 */
final class MemoryFloor {
    private MemoryFloor() {
    }

    /** {@code rows} rows of {@code width} features: {@code u [rows][3][width]} into {@code h [rows][width]}. */
    static void stream(float[] u, float[] h, int rows, int width) {
        int threads = Runtime.getRuntime().availableProcessors();
        IntStream.range(0, threads).parallel().forEach(k -> {
            int r0 = (int) ((long) rows * k / threads);
            int r1 = (int) ((long) rows * (k + 1) / threads);
            for (int r = r0; r < r1; r++) {
                int uo = r * 3 * width;
                int ho = r * width;
                for (int d = 0; d < width; d++) {
                    h[ho + d] = u[uo + d] + u[uo + width + d] + u[uo + 2 * width + d];
                }
            }
        });
    }
}
