package org.pararnn.cells;

import java.util.Random;

/** Seeded test data (the float64 references and error norms live in the conformance kit). */
final class Data {
    private Data() {
    }

    static float[] gaussian(int size, double std, long seed) {
        Random r = new Random(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (std * r.nextGaussian());
        }
        return a;
    }
}
