package org.pararnn.lm.nn;

import org.pararnn.api.Tensor;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.HostOps;
import org.pararnn.api.ops.Ops;

/**
 * A trainable tensor under its model-wide name (e.g. {@code layers.0.rnn.cell.A}), its gradient
 * accumulator, and whether AdamW's weight decay applies to it (projection matrices and embeddings yes;
 * norms, scales, biases and the cells' diagonal recurrent weights no).
 *
 * <p>The Java arrays ({@link #data()}, {@link #gradData()}) are the parameter as checkpoints and the float64
 * checks see it. Where it is used, it lives on the ops it is {@link #place placed} on: with ops that take Java
 * arrays, the device arrays are views of them (nothing to copy); with a device backend's, they are copies
 * there, and {@link #pull()} / {@link #push()} move values between the two.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;
    private final boolean decay;
    private Ops ops = HostOps.ON_THIS_THREAD;
    private DeviceArray valueArray;
    private DeviceArray gradArray;

    public Parameter(String name, Tensor value, Tensor grad, boolean decay) {
        if (!java.util.Arrays.equals(value.shape(), grad.shape())) {
            throw new IllegalArgumentException("gradient of '" + name + "' has the wrong shape");
        }
        this.name = name;
        this.value = value;
        this.grad = grad;
        this.decay = decay;
        this.valueArray = HostArray.of(name, value.data());
        this.gradArray = HostArray.of(name + ".grad", grad.data());
    }

    public static Parameter of(String name, boolean decay, int... shape) {
        return new Parameter(name, Tensor.zeros(name, shape), Tensor.zeros(name, shape), decay);
    }

    public String name() {
        return name;
    }

    public Tensor value() {
        return value;
    }

    public Tensor grad() {
        return grad;
    }

    public boolean decay() {
        return decay;
    }

    public float[] data() {
        return value.data();
    }

    public float[] gradData() {
        return grad.data();
    }

    /** The value under the model-wide name (the cells name their tensors locally). */
    public Tensor named() {
        return value.name().equals(name) ? value : new Tensor(name, value.shape(), value.data());
    }

    /**
     * Makes {@code target} this parameter's home: its value and gradient are copied there (or viewed, on ops
     * that take Java arrays) and every later use goes through {@link #valueArray()} / {@link #gradArray()}.
     */
    public void place(Ops target) {
        if (target == ops) {
            return;
        }
        pull(); // the Java arrays carry the value over from a device it leaves
        release();
        ops = target;
        if (target.takesHostArrays()) {
            valueArray = HostArray.of(name, value.data());
            gradArray = HostArray.of(name + ".grad", grad.data());
        } else {
            valueArray = target.allocate(name, value.size());
            gradArray = target.allocate(name + ".grad", grad.size());
            push();
        }
    }

    private void release() {
        if (!ops.takesHostArrays()) {
            ops.release(valueArray);
            ops.release(gradArray);
        }
    }

    /** The ops this parameter lives on (the host ops on the calling thread until placed). */
    public Ops ops() {
        return ops;
    }

    public DeviceArray valueArray() {
        return valueArray;
    }

    public DeviceArray gradArray() {
        return gradArray;
    }

    /** The device's value and gradient into the Java arrays (nothing to do on ops that take Java arrays). */
    public void pull() {
        if (!ops.takesHostArrays()) {
            ops.download(valueArray, 0, value.data(), 0, value.data().length);
            ops.download(gradArray, 0, grad.data(), 0, grad.data().length);
        }
    }

    /** The Java arrays' value and gradient onto the device (after loading a checkpoint into them). */
    public void push() {
        if (!ops.takesHostArrays()) {
            ops.upload(value.data(), 0, valueArray, 0, value.data().length);
            ops.upload(grad.data(), 0, gradArray, 0, grad.data().length);
        }
    }

    @Override
    public String toString() {
        return name + java.util.Arrays.toString(value.shape());
    }
}
