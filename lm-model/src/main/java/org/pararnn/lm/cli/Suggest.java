package org.pararnn.lm.cli;

import java.util.Collection;
import java.util.Optional;

/** The closest of a few known words to a mistyped one, for "did you mean …?". */
final class Suggest {
    private Suggest() {
    }

    /**
     * The candidate nearest to {@code typed} by edit distance (insertions, deletions, substitutions and swaps of two
     * neighbours), if it is near enough to be a typo: at most a third of the longer word, and at most 3 edits; a
     * candidate that starts with what was typed (an abbreviation) also counts. Ties go to the first in order.
     */
    static Optional<String> closest(String typed, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(typed, c);
            int limit = Math.min(3, Math.max(1, Math.max(typed.length(), c.length()) / 3));
            boolean abbreviation = typed.length() >= 3 && c.startsWith(typed);
            if ((d <= limit || abbreviation) && d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance. */
    static int distance(String a, String b) {
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[n][m];
    }
}
