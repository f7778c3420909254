package org.pararnn.lm.train;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.Tensor;
import org.pararnn.lm.nn.Parameter;

/**
 * Adam with decoupled weight decay (Loshchilov & Hutter): {@code θ ← θ − lr·(m̂/(√v̂+ε) + wd·θ)} where
 * {@code wd} applies only to parameters marked for decay. Moments are float32 tensors named
 * {@code m.<param>} / {@code v.<param>} so checkpoints can store them beside the weights.
 */
public final class AdamW {
    private final List<Parameter> params;
    private final List<Tensor> m = new ArrayList<>();
    private final List<Tensor> v = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long t;

    public AdamW(List<Parameter> params, double beta1, double beta2, double eps, double weightDecay) {
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
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float stepSize = (float) (lr / c1);
        float invC2 = (float) (1 / c2);
        float e = (float) eps;
        float scale = (float) gradScale;
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            float[] w = p.data();
            float[] g = p.gradData();
            float[] mm = m.get(i).data();
            float[] vv = v.get(i).data();
            float decay = p.decay() ? (float) (1 - lr * weightDecay) : 1f;
            for (int j = 0; j < w.length; j++) {
                float gj = g[j] * scale;
                mm[j] = b1 * mm[j] + (1 - b1) * gj;
                vv[j] = b2 * vv[j] + (1 - b2) * gj * gj;
                w[j] = w[j] * decay - stepSize * mm[j] / ((float) Math.sqrt(vv[j] * invC2) + e);
            }
        }
    }

    /**
     * {@code ‖g‖₂} over every parameter's gradient, in double, in four interleaved partial sums (a fixed
     * order, so deterministic; one running sum is a chain of dependent adds, ~4× slower here).
     */
    public static double gradientNorm(List<Parameter> params) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (Parameter p : params) {
            float[] g = p.gradData();
            int j = 0;
            for (; j + 4 <= g.length; j += 4) {
                s0 += (double) g[j] * g[j];
                s1 += (double) g[j + 1] * g[j + 1];
                s2 += (double) g[j + 2] * g[j + 2];
                s3 += (double) g[j + 3] * g[j + 3];
            }
            for (; j < g.length; j++) {
                s0 += (double) g[j] * g[j];
            }
        }
        return Math.sqrt((s0 + s1) + (s2 + s3));
    }
}
