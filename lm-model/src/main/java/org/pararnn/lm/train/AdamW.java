package org.pararnn.lm.train;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.Tensor;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.Loss;
import org.pararnn.lm.nn.Parameter;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): {@code θ ← θ − lr·(m̂/(√v̂+ε) + wd·θ)} where
 * {@code wd} applies only to parameters marked for decay. Moments are float32 tensors named
 * {@code m.<param>} / {@code v.<param>} so checkpoints can store them beside the weights. The update
 * itself is {@link Ops#adamW} on the ops each parameter lives on, the moments beside it (the schedule and
 * bias correction stay here).
 */
public final class AdamW {
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();
    /** The moments where their parameter lives (views of the tensors on ops that take Java arrays). */
    private final List<DeviceArray> mArrays = new ArrayList<>();
    private final List<DeviceArray> vArrays = new ArrayList<>();
    /** The ops each parameter's moments live on: followed when a parameter is placed elsewhere. */
    private final List<Ops> momentOps = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long t;

    /** With {@code config}'s β₁, β₂, ε and weight decay. */
    public static AdamW of(List<Parameter> params, TrainConfig config) {
        return new AdamW(params, config.beta1(), config.beta2(), config.eps(), config.weightDecay());
    }

    /** For {@code params} placed where they will be trained (their moments are made beside them). */
    public AdamW(List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Parameter p : params) {
            Tensor mt = Tensor.zeros("m." + p.name(), p.value().shape());
            Tensor vt = Tensor.zeros("v." + p.name(), p.value().shape());
            m.add(mt);
            v.add(vt);
            mArrays.add(beside(p, mt));
            vArrays.add(beside(p, vt));
            momentOps.add(p.ops());
        }
    }

    /** Moves parameter {@code i}'s moments to where it lives now (a model given another backend after this optimiser). */
    private void follow(int i) {
        Parameter p = params.get(i);
        Ops old = momentOps.get(i);
        if (p.ops() == old) {
            return;
        }
        pull(i);
        if (!old.takesHostArrays()) {
            old.release(mArrays.get(i));
            old.release(vArrays.get(i));
        }
        mArrays.set(i, beside(p, m.get(i)));
        vArrays.set(i, beside(p, v.get(i)));
        momentOps.set(i, p.ops());
    }

    private void pull(int i) {
        Ops ops = momentOps.get(i);
        if (!ops.takesHostArrays()) {
            ops.download(mArrays.get(i), 0, m.get(i).data(), 0, m.get(i).data().length);
            ops.download(vArrays.get(i), 0, v.get(i).data(), 0, v.get(i).data().length);
        }
    }

    private static DeviceArray beside(Parameter p, Tensor t) {
        Ops ops = p.ops();
        if (ops.takesHostArrays()) {
            return HostArray.of(t.name(), t.data());
        }
        DeviceArray a = ops.allocate(t.name(), t.size());
        ops.upload(t.data(), 0, a, 0, t.data().length);
        return a;
    }

    /** Updates taken so far (bias correction uses it). */
    public long updates() {
        return t;
    }

    public void updates(long n) {
        this.t = n;
    }

    /**
     * Both moment tensors of every parameter, for checkpoints (live: loading into them, then {@link #push()},
     * restores the state; {@link #pull()} first brings them up to date from a device).
     */
    public List<Tensor> state() {
        List<Tensor> all = new ArrayList<>(m);
        all.addAll(v);
        return all;
    }

    /** The moments from where they live into their tensors (nothing to do on ops that take Java arrays). */
    public void pull() {
        for (int i = 0; i < params.size(); i++) {
            pull(i);
        }
    }

    /** The tensors' moments to where they live (after loading a checkpoint into them). */
    public void push() {
        for (int i = 0; i < params.size(); i++) {
            follow(i);
            Ops ops = momentOps.get(i);
            if (!ops.takesHostArrays()) {
                ops.upload(m.get(i).data(), 0, mArrays.get(i), 0, m.get(i).data().length);
                ops.upload(v.get(i).data(), 0, vArrays.get(i), 0, v.get(i).data().length);
            }
        }
    }

    /** One update with learning rate {@code lr}, gradients scaled by {@code gradScale} first (clipping, averaging). */
    public void step(double lr, double gradScale) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / c1);
        float invC2 = (float) (1 / c2);
        for (int i = 0; i < params.size(); i++) {
            follow(i);
            Parameter p = params.get(i);
            float decay = p.decay() ? (float) (1 - lr * weightDecay) : 1f;
            Ops.AdamWStep s = new Ops.AdamWStep((float) beta1, (float) beta2, stepSize, invC2, (float) eps, (float) gradScale,
                    decay);
            p.ops().adamW(p.valueArray(), p.gradArray(), mArrays.get(i), vArrays.get(i), s);
        }
    }

    /**
     * One plain training step of {@code model} on one batch: gradients zeroed, forward with the loss,
     * backward, the global gradient norm clipped to 1, this update at {@code lr}, the cells' bounds applied.
     * What benchmarks and tests time and count (the {@link Trainer} adds accumulation, schedules and checks).
     */
    public Loss trainStep(LanguageModel model, int[] tokens, int[] targets, int batch,
                                               int steps, double lr) {
        model.zeroGradients();
        Loss loss = model.forward(tokens, targets, batch, steps);
        model.backward();
        double norm = gradientNorm(model.parameters());
        step(lr, norm > 1 ? 1 / norm : 1);
        model.clipRecurrent();
        return loss;
    }

    /** {@code ‖g‖₂} over every parameter's gradient, in double, in a fixed order ({@link Ops#sumOfSquares} where each lives). */
    public static double gradientNorm(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            sum += p.ops().sumOfSquares(p.gradArray());
        }
        return Math.sqrt(sum);
    }
}
