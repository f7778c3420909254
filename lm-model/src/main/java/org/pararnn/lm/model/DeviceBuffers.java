package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.DeviceInts;
import org.pararnn.api.ops.Ops;

/**
 * A stage's activation arrays on the backend's ops, sized for a number of rows and reused while the batch
 * shape stays the same, so the training loop allocates nothing per step; a new shape (or new ops) gives the
 * old arrays back first.
 */
final class DeviceBuffers {
    private final List<DeviceArray> held = new ArrayList<>();
    private final List<DeviceInts> heldInts = new ArrayList<>();
    private Ops ops;
    private int rows = -1;

    /** True when the caller must allocate anew for {@code newRows} on {@code target}; the old arrays are released. */
    boolean resize(Ops target, int newRows) {
        if (newRows == rows && target == ops) {
            return false;
        }
        if (ops != null) {
            for (DeviceArray a : held) {
                ops.release(a);
            }
            for (DeviceInts a : heldInts) {
                ops.release(a);
            }
        }
        held.clear();
        heldInts.clear();
        ops = target;
        rows = newRows;
        return true;
    }

    DeviceArray floats(String name, long length) {
        DeviceArray a = ops.allocate(name, length);
        held.add(a);
        return a;
    }

    DeviceInts ints(String name, long length) {
        DeviceInts a = ops.allocateInts(name, length);
        heldInts.add(a);
        return a;
    }
}
