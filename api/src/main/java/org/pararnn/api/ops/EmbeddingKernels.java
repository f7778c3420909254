package org.pararnn.api.ops;

/**
 * Token embedding on heap arrays: the gather of table rows (plus learned positions) and its backward, the
 * scatter-add into the table's gradient. The scatter runs over columns {@code [from, to)} with the rows in
 * order, so each gradient element's sum has one fixed order whatever the split over threads.
 */
public final class EmbeddingKernels {
    private EmbeddingKernels() {
    }

    /** Rows {@code [from, to)}: {@code out[r] = table[tokens[r]] (+ positions[r mod steps])}. */
    public static void gather(int[] tokens, float[] table, float[] positions, int steps, float[] out, int from, int to,
                              int width) {
        for (int r = from; r < to; r++) {
            System.arraycopy(table, tokens[r] * width, out, r * width, width);
            if (positions != null) {
                int t = r % steps;
                for (int j = 0; j < width; j++) {
                    out[r * width + j] += positions[t * width + j];
                }
            }
        }
    }

    /** Columns {@code [from, to)} of every row, in row order: {@code gradTable[tokens[r]] += dOut[r]}, and the positions'. */
    public static void scatterAdd(int[] tokens, float[] dOut, int rows, float[] gradTable, float[] gradPositions, int steps,
                                  int from, int to, int width) {
        for (int r = 0; r < rows; r++) {
            int ti = tokens[r] * width;
            int ri = r * width;
            for (int j = from; j < to; j++) {
                gradTable[ti + j] += dOut[ri + j];
            }
            if (gradPositions != null) {
                int pi = (r % steps) * width;
                for (int j = from; j < to; j++) {
                    gradPositions[pi + j] += dOut[ri + j];
                }
            }
        }
    }
}
