package org.pararnn.api.toy;

import java.util.List;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;

/**
 * {@code f = sin(ω ⊙ h) + u}: bounded when stepped sequentially, but with {@code |ω| ≫ 1} its
 * Jacobians {@code ω cos(ω h)} are huge and sign-changing, so Newton's linearisation is useless and
 * the iterates blow up. The diverging cell of the tests.
 */
public final class SineCell extends ToyCell {
    private final Tensor omega;

    public SineCell(int n, int s, float omegaValue, long seed) {
        super(n, s, seed);
        this.omega = Tensor.zeros("omega", s);
        java.util.Arrays.fill(omega.data(), omegaValue);
    }

    @Override
    public String type() {
        return "test.sine";
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return JacobianStructure.diagonal();
    }

    @Override
    protected List<Tensor> recurrent() {
        return List.of(omega);
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        for (int i = 0; i < s; i++) {
            float wv = omega.data()[i];
            float h = hPrev[hOff + i];
            f[fOff + i] = (float) Math.sin(wv * h) + u[uOff + i];
            jac[jOff + i] = wv * (float) Math.cos(wv * h);
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] go = grads.data("omega");
        for (int i = 0; i < s; i++) {
            float h = hPrev[hOff + i];
            float l = lambda[lOff + i];
            gradU[guOff + i] = l;
            go[i] += l * h * (float) Math.cos(omega.data()[i] * h);
        }
    }

    @Override
    public double[] stepDouble(double[] hPrev, double[] u) {
        double[] out = new double[s];
        for (int i = 0; i < s; i++) {
            out[i] = Math.sin(omega.data()[i] * hPrev[i]) + u[i];
        }
        return out;
    }
}
