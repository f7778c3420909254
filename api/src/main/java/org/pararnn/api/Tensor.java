package org.pararnn.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A named, shaped float32 tensor in row-major order: the unit in which cells expose parameters (what
 * optimisers, checkpoints and weight interop iterate over). The shape is fixed; the data is mutable
 * in place and never replaced, so holders of the array see updates.
 */
public final class Tensor {
    private final String name;
    private final int[] shape;
    private final float[] data;

    public Tensor(String name, int[] shape, float[] data) {
        this.name = Objects.requireNonNull(name, "name");
        this.shape = shape.clone();
        Objects.requireNonNull(data, "data");
        int size = Checks.elements(name, this.shape);
        if (data.length != size) {
            throw new IllegalArgumentException("tensor '" + name + "' of shape " + Arrays.toString(this.shape)
                    + " needs " + size + " values, got " + data.length);
        }
        this.data = data;
    }

    /** A zero-filled tensor. */
    public static Tensor zeros(String name, int... shape) {
        return new Tensor(name, shape, new float[Checks.elements(name, shape)]);
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return data.length;
    }

    /** The backing array (row-major); writes are visible to every holder of this tensor. */
    public float[] data() {
        return data;
    }

    /** A tensor of the same shape with its own zeroed storage. */
    public Tensor zerosLike(String newName) {
        return new Tensor(newName, shape, new float[data.length]);
    }

    public Tensor copy() {
        return new Tensor(name, shape, data.clone());
    }

    /** Copies {@code source}'s values in; shapes must be equal. */
    public void copyFrom(Tensor source) {
        if (!Arrays.equals(shape, source.shape)) {
            throw new IllegalArgumentException("cannot copy tensor '" + source.name + "' of shape "
                    + Arrays.toString(source.shape) + " into '" + name + "' of shape " + Arrays.toString(shape));
        }
        System.arraycopy(source.data, 0, data, 0, data.length);
    }

    public boolean sameShape(int... other) {
        return Arrays.equals(shape, other);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
