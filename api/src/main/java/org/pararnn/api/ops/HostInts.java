package org.pararnn.api.ops;

/** A {@link DeviceInts} in the Java heap: the host ops' int arrays, and a zero-copy view of a caller's {@code int[]}. */
public final class HostInts implements DeviceInts {
    private final String name;
    private final int[] data;

    private HostInts(String name, int[] data) {
        this.name = name;
        this.data = data;
    }

    /** {@code data} itself, not a copy. */
    public static HostInts of(String name, int[] data) {
        return new HostInts(name, data);
    }

    public int[] data() {
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
