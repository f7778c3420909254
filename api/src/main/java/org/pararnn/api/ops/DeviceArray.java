package org.pararnn.api.ops;

/**
 * An array of floats that a backend's {@link Ops} work on: host memory for the host ops, device memory on
 * a GPU. Made by {@link Ops#allocate} (or, on the host, {@link HostArray#of}) and used only with the ops
 * that made it; the name is what errors call it.
 */
public interface DeviceArray {
    String name();

    long length();
}
