package org.pararnn.bench;

import java.util.Arrays;

/**
 * Side-by-side timing of two variants in one JVM: {@code pairs} pairs of blocks of {@code per} runs, the
 * order alternating between pairs (ABBA…), and per pair the ratio of the two block medians. On a shared
 * machine whose speed drifts between seconds, the ratio's quartiles describe the change; a whole-run
 * median of each side describes mostly the drift.
 */
public final class PairedTiming {
    /**
     * Each side's median and minimum (ms) over all its runs, and the paired ratio A/B's quartiles; the runs'
     * times (ms, sorted) of each side and the per-pair ratios (sorted).
     */
    public record Result(double medianA, double minA, double medianB, double minB, double ratioQ1, double ratioMedian,
                         double ratioQ3, int pairs, int per, double[] samplesA, double[] samplesB, double[] ratios) {
    }

    private PairedTiming() {
    }

    public static Result measure(Runnable a, Runnable b, int pairs, int per) {
        Runnable[] sides = {a, b};
        double[][] all = new double[2][pairs * per];
        double[] ratio = new double[pairs];
        for (int pair = 0; pair < pairs; pair++) {
            double[] median = new double[2];
            for (int k = 0; k < 2; k++) {
                int side = (pair + k) % 2;
                double[] t = new double[per];
                for (int i = 0; i < per; i++) {
                    long t0 = System.nanoTime();
                    sides[side].run();
                    t[i] = (System.nanoTime() - t0) / 1e6;
                    all[side][pair * per + i] = t[i];
                }
                Arrays.sort(t);
                median[side] = t[per / 2];
            }
            ratio[pair] = median[0] / median[1];
        }
        Arrays.sort(ratio);
        Arrays.sort(all[0]);
        Arrays.sort(all[1]);
        int n = pairs * per;
        return new Result(all[0][n / 2], all[0][0], all[1][n / 2], all[1][0], ratio[pairs / 4], ratio[pairs / 2],
                ratio[(3 * pairs) / 4], pairs, per, all[0], all[1], ratio);
    }
}
