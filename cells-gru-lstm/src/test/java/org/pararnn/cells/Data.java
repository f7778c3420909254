package org.pararnn.cells;

import java.util.Random;

/** Random test data and error norms. */
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

    /** {@code ‖a − ref‖₂ / ‖ref‖₂}. */
    static double relError(float[] a, double[] ref) {
        if (a.length != ref.length) {
            throw new AssertionError("length " + a.length + " vs " + ref.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }

    static double relError(double[] a, double[] ref) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }
}
