package org.pararnn.lm.model;

import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Ops;

/**
 * Where the model reads a device array on the host (logits on request, a stream's convolution history): on
 * ops that take Java arrays the array is its own Java array (no copy); on a device backend's it is copied
 * down.
 */
final class HostBridge {
    private HostBridge() {
    }

    /** The first {@code n} values of {@code a} as a Java array: {@code a}'s own, or {@code scratch} filled by a download. */
    static float[] down(Ops ops, DeviceArray a, float[] scratch, int n) {
        if (a instanceof HostArray h) {
            return h.data();
        }
        ops.download(a, 0, scratch, 0, n);
        return scratch;
    }
}
