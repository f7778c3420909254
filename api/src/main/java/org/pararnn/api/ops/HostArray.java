package org.pararnn.api.ops;

/** A {@link DeviceArray} in the Java heap: the host ops' arrays, and a zero-copy view of a caller's {@code float[]}. */
public final class HostArray implements DeviceArray {
    private final String name;
    private final float[] data;

    private HostArray(String name, float[] data) {
        this.name = name;
        this.data = data;
    }

    /** {@code data} itself, not a copy: what the ops write there the caller sees. */
    public static HostArray of(String name, float[] data) {
        return new HostArray(name, data);
    }

    public float[] data() {
        return data;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long length() {
        return data.length;
    }

    @Override
    public String toString() {
        return name + "[" + data.length + "]";
    }
}
