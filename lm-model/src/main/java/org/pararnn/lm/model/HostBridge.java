package org.pararnn.lm.model;

import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.Ops;

/**
 * Where the step meets the recurrence solvers, which take Java arrays: on ops that take Java arrays the
 * activation is its own Java array (no copy); on a device backend's it is copied down before the solve and
 * the result copied up after. Those copies are the step's only traffic besides tokens and the loss, until
 * the solvers take device arrays (issue 18).
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

    /**
     * {@code host}'s first {@code n} values as a device array: a view of it (named {@code name}) on ops that
     * take Java arrays, where {@code target} may be null; else uploaded into {@code target}.
     */
    static DeviceArray up(Ops ops, float[] host, DeviceArray target, int n, String name) {
        if (ops.takesHostArrays()) {
            return HostArray.of(name, host);
        }
        ops.upload(host, 0, target, 0, n);
        return target;
    }

    /** {@code target[0, n) = values[0, n)}: a copy within the heap on ops that take Java arrays, else an upload. */
    static void store(Ops ops, float[] values, DeviceArray target, int n) {
        if (target instanceof HostArray h) {
            System.arraycopy(values, 0, h.data(), 0, n);
        } else {
            ops.upload(values, 0, target, 0, n);
        }
    }

    /**
     * A Java array of exactly {@code n} floats for {@link #down} (the solvers check lengths exactly): none is
     * needed on ops that take Java arrays.
     */
    static float[] scratch(Ops ops, float[] current, int n) {
        if (ops.takesHostArrays()) {
            return current;
        }
        return current != null && current.length == n ? current : new float[n];
    }
}
