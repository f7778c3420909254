package org.pararnn.api.ops;

/** An array of ints that a backend's {@link Ops} read (token ids, targets): made by {@link Ops#allocateInts}. */
public interface DeviceInts {
    String name();

    long length();
}
