package org.pararnn.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient accumulators matching a cell's {@link Cell#parameters()} one to one, in the same order and
 * with the same names and shapes. Backward passes add into them; callers zero them between steps.
 * Not thread-safe: parallel solvers give each task its own instance and {@link #add} them in a fixed
 * order, so results do not depend on scheduling.
 */
public final class Gradients {
    private final List<Tensor> tensors;
    private final Map<String, Tensor> byName;

    private Gradients(List<Tensor> tensors) {
        this.tensors = Collections.unmodifiableList(tensors);
        this.byName = new LinkedHashMap<>();
        for (Tensor t : tensors) {
            if (byName.put(t.name(), t) != null) {
                throw new IllegalArgumentException("duplicate parameter name '" + t.name() + "'");
            }
        }
    }

    /** Zero gradients shaped like {@code parameters}. */
    public static Gradients zerosLike(List<Tensor> parameters) {
        List<Tensor> list = new ArrayList<>(parameters.size());
        for (Tensor p : parameters) {
            list.add(p.zerosLike(p.name()));
        }
        return new Gradients(list);
    }

    public static Gradients of(Cell cell) {
        return zerosLike(cell.parameters());
    }

    public List<Tensor> tensors() {
        return tensors;
    }

    /** The accumulator for parameter {@code name}; throws when the cell has no such parameter. */
    public Tensor get(String name) {
        Tensor t = byName.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'; have " + byName.keySet());
        }
        return t;
    }

    public float[] data(String name) {
        return get(name).data();
    }

    public Tensor get(int index) {
        return tensors.get(index);
    }

    public int count() {
        return tensors.size();
    }

    public void zero() {
        for (Tensor t : tensors) {
            java.util.Arrays.fill(t.data(), 0f);
        }
    }

    /** Adds {@code other} element-wise; both must come from the same parameter list. */
    public void add(Gradients other) {
        if (other.tensors.size() != tensors.size()) {
            throw new IllegalArgumentException("gradient sets have different parameter counts");
        }
        for (int i = 0; i < tensors.size(); i++) {
            float[] dst = tensors.get(i).data();
            float[] src = other.tensors.get(i).data();
            if (dst.length != src.length) {
                throw new IllegalArgumentException("gradient '" + tensors.get(i).name() + "' has a different size");
            }
            for (int j = 0; j < dst.length; j++) {
                dst[j] += src[j];
            }
        }
    }
}
