package org.pararnn.api.ops;

/**
 * The shape rules of {@link Ops}, checked before an operation runs on any backend, in the same words
 * everywhere: an error names the operation, the arrays and the shapes that do not fit.
 */
public final class OpsShapes {
    private OpsShapes() {
    }

    /** The inner dimension {@code k} of {@code c = op(a)·op(b)}, after checking that the three fit. */
    public static int matmul(Matrix a, boolean transA, Matrix b, boolean transB, Matrix c) {
        int am = transA ? a.cols() : a.rows();
        int ak = transA ? a.rows() : a.cols();
        int bk = transB ? b.cols() : b.rows();
        int bn = transB ? b.rows() : b.cols();
        if (ak != bk || am != c.rows() || bn != c.cols()) {
            throw new IllegalArgumentException("matmul: op(" + a.describe() + (transA ? ")ᵀ" : ")") + " is " + am + " x " + ak
                    + ", op(" + b.describe() + (transB ? ")ᵀ" : ")") + " is " + bk + " x " + bn + ", and " + c.describe()
                    + (ak != bk ? ": the inner dimensions differ" : ": the product is " + am + " x " + bn));
        }
        if (c.array() == a.array() || c.array() == b.array()) {
            throw new IllegalArgumentException("matmul: the output " + c.array().name() + " is also an input");
        }
        return ak;
    }

    /** Cross-entropy's logits {@code [rows][V]}, a target per row, and (when given) a prediction per row. */
    public static void crossEntropy(String op, Matrix logits, DeviceInts targets, DeviceInts predictions) {
        if (logits.cols() < 1) {
            throw new IllegalArgumentException(op + ": " + logits.describe() + " has no classes");
        }
        if (targets.length() < logits.rows()) {
            throw new IllegalArgumentException(op + ": " + targets.name() + " has " + targets.length() + " targets for the "
                    + logits.rows() + " rows of " + logits.describe());
        }
        if (predictions != null && predictions.length() < logits.rows()) {
            throw new IllegalArgumentException(op + ": " + predictions.name() + " has room for " + predictions.length()
                    + " predictions, " + logits.describe() + " has " + logits.rows() + " rows");
        }
    }

    /** An output that is not its input's array. */
    public static void distinct(String op, Matrix in, Matrix out) {
        if (in.array() == out.array()) {
            throw new IllegalArgumentException(op + ": the output " + out.array().name() + " is also the input");
        }
    }

    /** One value of {@code a} per column of {@code m}. */
    public static void perColumn(String op, DeviceArray a, Matrix m) {
        if (a.length() != m.cols()) {
            throw new IllegalArgumentException(op + ": " + a.name() + " has " + a.length() + " values for the " + m.cols()
                    + " columns of " + m.describe());
        }
    }

    /** A clamp's limit: finite and not negative. */
    public static void clampLimit(DeviceArray a, float limit) {
        if (!(limit >= 0) || Float.isInfinite(limit)) {
            throw new IllegalArgumentException("clamp of " + a.name() + ": the limit must be finite and >= 0, got " + limit);
        }
    }

    /** RMSNorm's {@code x}, {@code y} of one shape, a gain per column, an inverse RMS per row. */
    public static void rmsNorm(String op, Matrix x, DeviceArray gain, Matrix y, DeviceArray invRms) {
        if (x.rows() != y.rows() || x.cols() != y.cols()) {
            throw new IllegalArgumentException(op + ": " + x.describe() + " and " + y.describe() + " differ in shape");
        }
        if (gain.length() != x.cols()) {
            throw new IllegalArgumentException(op + ": the gain " + gain.name() + " has " + gain.length() + " values for "
                    + x.cols() + " columns");
        }
        if (invRms.length() < x.rows()) {
            throw new IllegalArgumentException(op + ": " + invRms.name() + " has " + invRms.length() + " values for "
                    + x.rows() + " rows");
        }
    }

    /** The vocabulary of {@code table}, after checking the embedding's rows, widths and positions. */
    public static int embedding(String op, DeviceInts tokens, int steps, DeviceArray table, DeviceArray positions, Matrix rows) {
        int d = rows.cols();
        if (rows.rows() != tokens.length()) {
            throw new IllegalArgumentException(op + ": " + tokens.name() + " has " + tokens.length() + " tokens for the "
                    + rows.rows() + " rows of " + rows.describe());
        }
        if (d == 0 || table.length() % d != 0) {
            throw new IllegalArgumentException(op + ": the table " + table.name() + " has " + table.length()
                    + " values, not vocab x " + d);
        }
        if (steps < 1) {
            throw new IllegalArgumentException(op + ": steps must be >= 1, got " + steps);
        }
        if (positions != null && positions.length() < (long) Math.min(steps, rows.rows()) * d) {
            throw new IllegalArgumentException(op + ": " + positions.name() + " has " + positions.length()
                    + " values, fewer than " + steps + " positions x " + d);
        }
        return (int) (table.length() / d);
    }

    /** Element-wise operands: every matrix the shape of the first. */
    public static void sameShape(String op, Matrix first, Matrix... rest) {
        for (Matrix m : rest) {
            if (m.rows() != first.rows() || m.cols() != first.cols()) {
                throw new IllegalArgumentException(op + ": " + m.describe() + " is not the shape of " + first.describe());
            }
        }
    }

    /**
     * The convolution's kernel size {@code k}, after checking {@code x}, {@code y} ({@code batch·steps × D}),
     * the weight ({@code D·k}), the bias ({@code D}) and the history (at least {@code batch·(k−1)·D}, when given).
     */
    public static int causalConv(String op, Matrix x, int batch, int steps, DeviceArray weight, DeviceArray bias,
                                 DeviceArray history, Matrix y) {
        long rows = (long) batch * steps;
        int d = x.cols();
        if (batch < 0 || steps < 0 || x.rows() != rows || y.rows() != rows || y.cols() != d) {
            throw new IllegalArgumentException(op + ": " + x.describe() + " and " + y.describe() + " must both be " + rows
                    + " x " + d + " for " + batch + " sequences of " + steps + " steps");
        }
        if (d == 0 || weight.length() == 0 || weight.length() % d != 0) {
            throw new IllegalArgumentException(op + ": the weight " + weight.name() + " has " + weight.length()
                    + " values, not D x k for D = " + d);
        }
        int k = (int) (weight.length() / d);
        if (bias.length() != d) {
            throw new IllegalArgumentException(op + ": the bias " + bias.name() + " has " + bias.length() + " values for "
                    + d + " features");
        }
        if (history != null && history.length() < (long) batch * (k - 1) * d) {
            throw new IllegalArgumentException(op + ": the history " + history.name() + " has " + history.length()
                    + " values, fewer than " + batch + " x " + (k - 1) + " x " + d);
        }
        return k;
    }

    /** AdamW's parameter, gradient and moments: one length. */
    public static void adamW(DeviceArray param, DeviceArray grad, DeviceArray m, DeviceArray v) {
        for (DeviceArray a : new DeviceArray[] {grad, m, v}) {
            if (a.length() != param.length()) {
                throw new IllegalArgumentException("adamW: " + a.name() + " has " + a.length() + " values, the parameter "
                        + param.name() + " " + param.length());
            }
        }
    }

    /** An array this backend's ops did not make, or of a kind they cannot use. */
    public static IllegalArgumentException foreign(DeviceArray a, String ops) {
        return new IllegalArgumentException(a.name() + " (" + a.getClass().getSimpleName() + ") is not an array of " + ops);
    }

    /** As {@link #foreign(DeviceArray, String)}, for ints. */
    public static IllegalArgumentException foreign(DeviceInts a, String ops) {
        return new IllegalArgumentException(a.name() + " (" + a.getClass().getSimpleName() + ") is not an array of " + ops);
    }

    /**
     * Operands that {@code ops}' kernels address as contiguous arrays from element 0 (the element-wise ones,
     * the convolution's output): each must be exactly its array's first {@code rows × cols} values.
     */
    public static void contiguous(String op, String ops, Matrix... operands) {
        for (Matrix m : operands) {
            if (m.ld() != m.cols() || m.offset() != 0) {
                throw new IllegalArgumentException(op + ": " + ops + " take " + m.describe() + " contiguous from element 0 (ld "
                        + m.ld() + ", offset " + m.offset() + ")");
            }
        }
    }

    /** A token id outside the vocabulary, refused before anything is written. */
    public static IllegalArgumentException tokenOutside(int token, int position, int vocab) {
        return new IllegalArgumentException("token " + token + " at position " + position + " is outside the vocabulary [0, "
                + vocab + ")");
    }

    /** A target neither in {@code [0, classes)} nor −1, refused before anything is written. */
    public static IllegalArgumentException targetOutside(String op, int target, int position, int classes) {
        return new IllegalArgumentException(op + ": target " + target + " at position " + position + " is outside the vocabulary [0, "
                + classes + ") (and is not −1, the mark of a row without a target)");
    }
}
