package org.pararnn.api;

import java.util.Arrays;

/**
 * Argument validation with messages that name the offending argument, shared by every module so that
 * bad input is reported the same way everywhere.
 */
public final class Checks {
    private Checks() {
    }

    /** Requires {@code value > 0}. */
    public static int positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }

    /**
     * The number of elements of a tensor with these dimensions, refusing any that a single Java array
     * cannot hold rather than overflowing silently.
     */
    public static int elements(String what, int... dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException(what + " has a negative dimension: " + Arrays.toString(dims));
            }
            n *= d;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(what + " of shape " + Arrays.toString(dims)
                        + " has more elements than one Java array can hold (2^31-1); split the batch or the sequence");
            }
        }
        return (int) n;
    }

    /** Requires {@code array.length == expected}. */
    public static void length(String what, float[] array, int expected, String shape) {
        if (array == null) {
            throw new IllegalArgumentException(what + " is null; expected " + expected + " values " + shape);
        }
        if (array.length != expected) {
            throw new IllegalArgumentException(what + " has " + array.length + " values, expected " + expected
                    + " for shape " + shape);
        }
    }

    /**
     * Rejects NaN or infinite values, naming the first one's position in a {@code [B][T][W]} layout
     * (pass {@code steps = 1} for {@code [B][W]}).
     */
    public static void finite(String what, float[] array, int steps, int width) {
        for (int i = 0; i < array.length; i++) {
            float v = array[i];
            if (!Float.isFinite(v)) {
                int w = i % width;
                int t = (i / width) % steps;
                int b = i / width / steps;
                String at = steps == 1 ? "[b=" + b + ", i=" + w + "]" : "[b=" + b + ", t=" + t + ", i=" + w + "]";
                throw new IllegalArgumentException(what + " contains " + v + " at " + at);
            }
        }
    }

    /** Index of the first non-finite value, or -1. */
    public static int firstNonFinite(float[] array, int from, int to) {
        for (int i = from; i < to; i++) {
            if (!Float.isFinite(array[i])) {
                return i;
            }
        }
        return -1;
    }
}
