package org.pararnn.lm.data;

/**
 * SplitMix64: a small, fast generator whose whole state is one {@code long}, so a checkpoint can store
 * it and a resumed run draws exactly the numbers the uninterrupted run would have drawn.
 */
public final class Rng {
    private long state;

    public Rng(long seed) {
        this.state = seed;
    }

    public long state() {
        return state;
    }

    public void state(long s) {
        this.state = s;
    }

    public long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in {@code [0, bound)} without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive, got " + bound);
        }
        long r = nextLong() >>> 1;
        long m = bound - 1;
        if ((bound & m) == 0) {
            return (int) (r & m);
        }
        long u = r;
        long v;
        while (u - (v = u % bound) + m < 0) {
            u = nextLong() >>> 1;
        }
        return (int) v;
    }

    /** Uniform in {@code [0, 1)}. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
