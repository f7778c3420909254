package org.pararnn.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pararnn.api.io.Json;

/**
 * A run against an older one: a figure moved when its runs' times differ by more than their own spread says is
 * chance, by a Mann–Whitney rank-sum test on every run of both (two-sided, |z| > 2.58, p < 0.01), and by more than
 * 2 % in median. Paired ratios are not compared across runs: the two runs did not alternate.
 */
final class Compare {
    static final double Z = 2.58;
    static final double MIN_CHANGE = 0.02;

    record Moved(String id, double oldMedian, double newMedian, double z) {
        double ratio() {
            return newMedian / oldMedian;
        }
    }

    record Result(Path old, int common, List<Moved> moved, List<String> onlyOld, List<String> onlyNew) {
    }

    @SuppressWarnings("unchecked")
    static List<Figure> load(Path dir) throws IOException {
        Path file = dir.resolve("results.json");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("bench: --compare " + dir + ": no results.json there (give the --out of an earlier run)");
        }
        Object root = Json.parse(Files.readString(file));
        if (!(root instanceof Map<?, ?> m) || !(m.get("figures") instanceof List<?> list)) {
            throw new IllegalArgumentException("bench: --compare " + file + " is not a bench results file (no 'figures' list)");
        }
        List<Figure> out = new ArrayList<>();
        for (Object o : list) {
            out.add(Figure.fromJson((Map<String, Object>) o));
        }
        return out;
    }

    static Result compare(Path oldDir, List<Figure> older, List<Figure> newer) {
        Map<String, Figure> before = new LinkedHashMap<>();
        older.forEach(f -> before.put(f.id(), f));
        List<Moved> moved = new ArrayList<>();
        List<String> onlyNew = new ArrayList<>();
        int common = 0;
        for (Figure f : newer) {
            Figure o = before.remove(f.id());
            if (o == null) {
                onlyNew.add(f.id());
                continue;
            }
            common++;
            double z = rankSumZ(o.samplesMs(), f.samplesMs());
            double change = Math.abs(f.median() / o.median() - 1);
            if (Math.abs(z) > Z && change > MIN_CHANGE) {
                moved.add(new Moved(f.id(), o.median(), f.median(), z));
            }
        }
        return new Result(oldDir, common, moved, List.copyOf(before.keySet()), onlyNew);
    }

    /** Mann–Whitney's {@code z} for "b's values tend to be larger than a's" (normal approximation, ties averaged). */
    static double rankSumZ(double[] a, double[] b) {
        int n1 = a.length;
        int n2 = b.length;
        if (n1 == 0 || n2 == 0) {
            return 0;
        }
        double[][] all = new double[n1 + n2][];
        for (int i = 0; i < n1; i++) {
            all[i] = new double[] {a[i], 0};
        }
        for (int i = 0; i < n2; i++) {
            all[n1 + i] = new double[] {b[i], 1};
        }
        Arrays.sort(all, (x, y) -> Double.compare(x[0], y[0]));
        double rankB = 0;
        double ties = 0;
        int i = 0;
        while (i < all.length) {
            int j = i;
            while (j + 1 < all.length && all[j + 1][0] == all[i][0]) {
                j++;
            }
            double rank = (i + j) / 2.0 + 1;
            int t = j - i + 1;
            ties += (double) t * t * t - t;
            for (int k = i; k <= j; k++) {
                if (all[k][1] == 1) {
                    rankB += rank;
                }
            }
            i = j + 1;
        }
        double u = rankB - n2 * (n2 + 1) / 2.0;
        double n = n1 + n2;
        double mean = n1 * (double) n2 / 2;
        double var = n1 * (double) n2 / 12 * ((n + 1) - ties / (n * (n - 1)));
        return var <= 0 ? 0 : (u - mean) / Math.sqrt(var);
    }
}
