package org.pararnn.conformance;

import java.util.Random;

/** Seeded test data and the error norm the suite reports. */
public final class KitData {
    private KitData() {
    }

    public static float[] gaussian(int size, double std, long seed) {
        Random r = new Random(seed);
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (std * r.nextGaussian());
        }
        return a;
    }

    /** {@code ‖a − ref‖₂ / ‖ref‖₂} (0/0 counts as 0). */
    public static double relError(float[] a, double[] ref) {
        if (a.length != ref.length) {
            throw new AssertionError("length " + a.length + " vs reference " + ref.length);
        }
        double num = 0;
        double den = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - ref[i];
            num += d * d;
            den += ref[i] * ref[i];
        }
        return num == 0 ? 0 : Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
