package org.pararnn.api;

import java.util.Map;
import org.pararnn.api.ops.DeviceArray;

/**
 * A cell's parameters and their gradient accumulators as arrays of the ops a solve runs on, by the names of
 * {@link Cell#parameters()} ({@code A}, {@code B}, {@code b}, …): what a solve that stays on a device reads
 * and adds into (docs/design.md §4). Whoever owns the parameters (a model) places them and keeps them.
 */
public record CellArrays(Map<String, DeviceArray> values, Map<String, DeviceArray> grads) {
    public CellArrays {
        values = Map.copyOf(values);
        grads = Map.copyOf(grads);
    }

    /** The value of parameter {@code name}. */
    public DeviceArray value(String name) {
        return find(values, name, "value");
    }

    /** The gradient accumulator of parameter {@code name}. */
    public DeviceArray grad(String name) {
        return find(grads, name, "gradient");
    }

    /** Whether parameter {@code name} is here (an LSTM's {@code C}, say). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Every parameter of {@code cell} has a value and a gradient here, each of the tensor's size. */
    public void requireFor(Cell cell) {
        for (Tensor t : cell.parameters()) {
            for (DeviceArray a : new DeviceArray[] {value(t.name()), grad(t.name())}) {
                if (a.length() != t.size()) {
                    throw new IllegalArgumentException("cell " + cell.type() + ": parameter " + t.name() + " has " + t.size()
                            + " values but its array " + a.name() + " holds " + a.length());
                }
            }
        }
    }

    private static DeviceArray find(Map<String, DeviceArray> m, String name, String what) {
        DeviceArray a = m.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no " + what + " array for cell parameter '" + name + "' (have " + m.keySet() + ")");
        }
        return a;
    }
}
