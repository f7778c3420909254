package org.pararnn.api.toy;

import java.util.List;
import java.util.Random;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;

/** {@code f = tanh(M h + u)} with a full {@code S×S} matrix: the dense-Jacobian toy. */
public final class DenseTanhCell extends ToyCell {
    private final Tensor mat;

    public DenseTanhCell(int n, int s, double scale, long seed) {
        super(n, s, seed);
        this.mat = Tensor.zeros("M", s, s);
        Random rnd = new Random(seed * 17 + 3);
        for (int i = 0; i < mat.size(); i++) {
            mat.data()[i] = (float) (scale * rnd.nextGaussian() / Math.sqrt(s));
        }
    }

    @Override
    public String type() {
        return "test.dense-tanh";
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return JacobianStructure.dense();
    }

    @Override
    protected List<Tensor> recurrent() {
        return List.of(mat);
    }

    private float pre(float[] hPrev, int hOff, float[] u, int uOff, int r) {
        float z = u[uOff + r];
        float[] md = mat.data();
        for (int c = 0; c < s; c++) {
            z += md[r * s + c] * hPrev[hOff + c];
        }
        return z;
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        float[] md = mat.data();
        for (int r = 0; r < s; r++) {
            float y = (float) Math.tanh(pre(hPrev, hOff, u, uOff, r));
            f[fOff + r] = y;
            float d = 1f - y * y;
            for (int c = 0; c < s; c++) {
                jac[jOff + r * s + c] = d * md[r * s + c];
            }
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] gm = grads.data("M");
        for (int r = 0; r < s; r++) {
            float y = (float) Math.tanh(pre(hPrev, hOff, u, uOff, r));
            float g = lambda[lOff + r] * (1f - y * y);
            gradU[guOff + r] = g;
            for (int c = 0; c < s; c++) {
                gm[r * s + c] += g * hPrev[hOff + c];
            }
        }
    }

    @Override
    public double[] stepDouble(double[] hPrev, double[] u) {
        double[] out = new double[s];
        for (int r = 0; r < s; r++) {
            double z = u[r];
            for (int c = 0; c < s; c++) {
                z += (double) mat.data()[r * s + c] * hPrev[c];
            }
            out[r] = Math.tanh(z);
        }
        return out;
    }
}
