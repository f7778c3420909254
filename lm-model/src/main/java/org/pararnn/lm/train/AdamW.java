package org.pararnn.lm.train;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.Tensor;
import org.pararnn.api.ops.HostArray;
import org.pararnn.api.ops.HostOps;
import org.pararnn.api.ops.Ops;
import org.pararnn.lm.nn.Parameter;

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter): {@code θ ← θ − lr·(m̂/(√v̂+ε) + wd·θ)} where
 * {@code wd} applies only to parameters marked for decay. Moments are float32 tensors named
 * {@code m.<param>} / {@code v.<param>} so checkpoints can store them beside the weights. The update
 * itself is the backend's {@link Ops#adamW} (the schedule and bias correction stay here).
 */
public final class AdamW {
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Ops ops;
    private long t;

    /** On the host ops of the calling thread. */
    public AdamW(List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
        this(params, beta1, beta2, eps, weightDecay, HostOps.ON_THIS_THREAD);
    }

    /** Updates by {@code ops} (the backend's). */
    public AdamW(List<Parameter> params, double beta1, double beta2, double eps, double weightDecay, Ops ops) {
        this.ops = ops;
        this.params = params;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        for (Parameter p : params) {
            m.add(Tensor.zeros("m." + p.name(), p.value().shape()));
            v.add(Tensor.zeros("v." + p.name(), p.value().shape()));
        }
    }

    /** Updates taken so far (bias correction uses it). */
    public long updates() {
        return t;
    }

    public void updates(long n) {
        this.t = n;
    }

    /** Both moment tensors of every parameter, for checkpoints (live: loading into them restores the state). */
    public List<Tensor> state() {
        List<Tensor> all = new ArrayList<>(m);
        all.addAll(v);
        return all;
    }

    /** One update with learning rate {@code lr}, gradients scaled by {@code gradScale} first (clipping, averaging). */
    public void step(double lr, double gradScale) {
        t++;
        double c1 = 1 - Math.pow(beta1, t);
        double c2 = 1 - Math.pow(beta2, t);
        float stepSize = (float) (lr / c1);
        float invC2 = (float) (1 / c2);
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            float decay = p.decay() ? (float) (1 - lr * weightDecay) : 1f;
            Ops.AdamWStep s = new Ops.AdamWStep((float) beta1, (float) beta2, stepSize, invC2, (float) eps, (float) gradScale,
                    decay);
            ops.adamW(HostArray.of(p.name(), p.data()), HostArray.of(p.name() + ".grad", p.gradData()),
                    HostArray.of(m.get(i).name(), m.get(i).data()), HostArray.of(v.get(i).name(), v.get(i).data()), s);
        }
    }

    /** {@code ‖g‖₂} over every parameter's gradient, in double, in a fixed order ({@link Ops#sumOfSquares} per tensor). */
    public static double gradientNorm(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            sum += HostOps.ON_THIS_THREAD.sumOfSquares(HostArray.of(p.name() + ".grad", p.gradData()));
        }
        return Math.sqrt(sum);
    }
}
