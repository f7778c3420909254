package org.pararnn.api.ops;

/**
 * A row-major {@code rows × cols} matrix inside a {@link DeviceArray}: element {@code (i, j)} at
 * {@code offset + i·ld + j}, so a slice of a wider activation (one half of a projection's output, say)
 * needs no copy. Checked when made: it must lie inside its array.
 */
public record Matrix(DeviceArray array, long offset, int rows, int cols, int ld) {
    public Matrix {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(array.name() + ": a matrix cannot be " + rows + " x " + cols);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(array.name() + ": leading dimension " + ld + " is less than the " + cols
                    + " columns of its " + rows + " x " + cols + " matrix (or < 1)");
        }
        long end = offset + span(rows, cols, ld);
        if (offset < 0 || end > array.length()) {
            throw new IllegalArgumentException(array.name() + ": a " + rows + " x " + cols + " matrix (ld " + ld + ") at offset "
                    + offset + " reaches element " + end + " of " + array.length());
        }
    }

    /** The whole of {@code array} as {@code rows × cols}, contiguous. */
    public static Matrix of(DeviceArray array, int rows, int cols) {
        return new Matrix(array, 0, rows, cols, cols);
    }

    /** Elements from the first to one past the last: {@code (rows − 1)·ld + cols}. */
    public long span() {
        return span(rows, cols, ld);
    }

    private static long span(int rows, int cols, int ld) {
        return rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
    }

    /** {@code "name 3 x 4"}, for errors. */
    public String describe() {
        return array.name() + " " + rows + " x " + cols;
    }
}
