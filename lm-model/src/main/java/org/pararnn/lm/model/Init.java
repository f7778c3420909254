package org.pararnn.lm.model;

import java.util.SplittableRandom;

/** Seeded initialisers (deterministic for a given seed and parameter order). */
final class Init {
    private Init() {
    }

    static void uniform(SplittableRandom rnd, float[] v, double bound) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
        }
    }

    static void gaussian(SplittableRandom rnd, float[] v, double std) {
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (std * rnd.nextGaussian());
        }
    }
}
