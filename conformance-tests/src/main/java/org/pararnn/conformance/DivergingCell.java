package org.pararnn.conformance;

import java.util.List;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;

/**
 * {@code h' = sin(ω h) + x} with large {@code ω}: bounded when stepped, but its Jacobians
 * {@code ω cos(ω h)} make Newton's linearisation useless, so every backend's Newton must detect the
 * failure and report it rather than return its iterate.
 */
public final class DivergingCell implements Cell {
    private final int width;
    private final Tensor omega;

    public DivergingCell(int width, float omegaValue) {
        this.width = width;
        this.omega = Tensor.zeros("omega", width);
        java.util.Arrays.fill(omega.data(), omegaValue);
    }

    @Override
    public String type() {
        return "conformance.diverging";
    }

    @Override
    public int inputWidth() {
        return width;
    }

    @Override
    public int projectedWidth() {
        return width;
    }

    @Override
    public int stateWidth() {
        return width;
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return JacobianStructure.diagonal();
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(omega);
    }

    @Override
    public void project(org.pararnn.api.ops.Ops ops, float[] x, float[] u, int rows) {
        System.arraycopy(x, 0, u, 0, rows * width);
    }

    @Override
    public void projectBackward(org.pararnn.api.ops.Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows) {
        if (gradX != null) {
            System.arraycopy(gradU, 0, gradX, 0, rows * width);
        }
    }

    @Override
    public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
        for (int i = 0; i < width; i++) {
            out[outOff + i] = (float) Math.sin(omega.data()[i] * hPrev[hOff + i]) + u[uOff + i];
        }
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        for (int i = 0; i < width; i++) {
            float w = omega.data()[i];
            float h = hPrev[hOff + i];
            f[fOff + i] = (float) Math.sin(w * h) + u[uOff + i];
            jac[jOff + i] = w * (float) Math.cos(w * h);
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] g = grads.data("omega");
        for (int i = 0; i < width; i++) {
            float h = hPrev[hOff + i];
            gradU[guOff + i] = lambda[lOff + i];
            g[i] += lambda[lOff + i] * h * (float) Math.cos(omega.data()[i] * h);
        }
    }
}
