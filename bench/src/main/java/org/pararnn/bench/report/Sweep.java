package org.pararnn.bench.report;

import java.util.ArrayList;
import java.util.List;

/**
 * What a bench run measures and how hard: the shapes {@code T × B·D} (B·D up to 64 is one sequence of that many
 * features; above, 64 features per sequence), and how many paired blocks of how many runs each figure gets.
 * {@code --quick} is sized to finish in about 3 minutes on 2 cores with the {@code cpu} and {@code opencl}
 * backends; the default in about 20. A figure whose runs are slow gets fewer runs per block (down to one) and then
 * fewer pairs (down to 4), so that it takes about {@code secondsPerFigure}; the report says how many each had.
 */
record Sweep(boolean quick, List<int[]> shapes, int pairs, int per, int modelRuns, double secondsPerFigure, int warmupMs) {

    /** The largest arrays a figure may allocate (floats), so that no shape asks more memory than a small machine has. */
    static final long MAX_FLOATS = 1L << 27;

    static Sweep quickSweep() {
        return new Sweep(true, grid(new int[] {256, 2048}, new int[] {1, 512}), 4, 3, 6, 1.0, 1000);
    }

    static Sweep fullSweep() {
        return new Sweep(false, grid(new int[] {256, 2048, 16384}, new int[] {1, 64, 512}), 8, 5, 12, 2.5, 1000);
    }

    /** The same effort with the caller's shapes ({@code T:BD,T:BD,...}). */
    Sweep withShapes(String spec) {
        List<int[]> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String[] tb = part.trim().split(":");
            try {
                if (tb.length != 2) {
                    throw new NumberFormatException();
                }
                int t = Integer.parseInt(tb[0]);
                int bd = Integer.parseInt(tb[1]);
                if (t < 2 || bd < 1 || (bd > 64 && bd % 64 != 0)) {
                    throw new NumberFormatException();
                }
                out.add(new int[] {t, bd});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bench: --shapes takes T:BD pairs (T >= 2; BD >= 1, a multiple of 64 above 64),"
                        + " e.g. 256:8,2048:512; got '" + part + "'");
            }
        }
        return new Sweep(quick, out, pairs, per, modelRuns, secondsPerFigure, warmupMs);
    }

    /** The same with {@code ms} of JIT warm-up for each code path's first figure (and 60 % of it per solver beforehand). */
    Sweep withWarmup(int ms) {
        if (ms < 0) {
            throw new IllegalArgumentException("bench: --warmup-ms must be >= 0, got " + ms);
        }
        return new Sweep(quick, shapes, pairs, per, modelRuns, secondsPerFigure, ms);
    }

    /** Pairs and runs per block for a figure whose two sides take {@code secondsA} and {@code secondsB} per run. */
    int[] effort(double secondsA, double secondsB) {
        double pairSeconds = secondsA + secondsB;
        int p = pairs;
        int r = (int) Math.max(1, Math.min(per, Math.floor(secondsPerFigure / (p * pairSeconds))));
        if (r == 1) {
            p = (int) Math.max(4, Math.min(pairs, Math.floor(secondsPerFigure / pairSeconds)));
        }
        return new int[] {p, r};
    }

    static int width(int lanes) {
        return Math.min(lanes, 64);
    }

    static int batch(int lanes) {
        return lanes / width(lanes);
    }

    private static List<int[]> grid(int[] steps, int[] lanes) {
        List<int[]> out = new ArrayList<>();
        for (int bd : lanes) {
            for (int t : steps) {
                out.add(new int[] {t, bd});
            }
        }
        return out;
    }
}
