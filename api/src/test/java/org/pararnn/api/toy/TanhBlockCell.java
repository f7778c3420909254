package org.pararnn.api.toy;

import java.util.List;
import java.util.Random;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;

/**
 * {@code k} blocks of {@code m} features coupled feature-wise:
 * {@code f_i[p] = tanh(Σ_j a[i][j][p] · h_j[p] + u_i[p])}. With {@code k = 1} its Jacobian is diagonal.
 */
public final class TanhBlockCell extends ToyCell {
    private final int k;
    private final int m;
    private final Tensor a;

    public TanhBlockCell(int n, int k, int m, double scale, long seed) {
        super(n, k * m, seed);
        this.k = k;
        this.m = m;
        this.a = Tensor.zeros("a", k, k, m);
        Random rnd = new Random(seed * 31 + 7);
        for (int i = 0; i < a.size(); i++) {
            a.data()[i] = (float) (scale * (2 * rnd.nextDouble() - 1));
        }
    }

    @Override
    public String type() {
        return "test.tanh-block" + k;
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return k == 1 ? JacobianStructure.diagonal() : JacobianStructure.blockDiagonal(k);
    }

    @Override
    protected List<Tensor> recurrent() {
        return List.of(a);
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        float[] ad = a.data();
        for (int i = 0; i < k; i++) {
            for (int p = 0; p < m; p++) {
                float z = u[uOff + i * m + p];
                for (int j = 0; j < k; j++) {
                    z += ad[(i * k + j) * m + p] * hPrev[hOff + j * m + p];
                }
                float y = (float) Math.tanh(z);
                f[fOff + i * m + p] = y;
                float d = 1f - y * y;
                for (int j = 0; j < k; j++) {
                    jac[jOff + (i * k + j) * m + p] = d * ad[(i * k + j) * m + p];
                }
            }
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] ad = a.data();
        float[] ga = grads.data("a");
        for (int i = 0; i < k; i++) {
            for (int p = 0; p < m; p++) {
                float z = u[uOff + i * m + p];
                for (int j = 0; j < k; j++) {
                    z += ad[(i * k + j) * m + p] * hPrev[hOff + j * m + p];
                }
                float y = (float) Math.tanh(z);
                float g = lambda[lOff + i * m + p] * (1f - y * y);
                gradU[guOff + i * m + p] = g;
                for (int j = 0; j < k; j++) {
                    ga[(i * k + j) * m + p] += g * hPrev[hOff + j * m + p];
                }
            }
        }
    }

    @Override
    public double[] stepDouble(double[] hPrev, double[] u) {
        double[] out = new double[s];
        for (int i = 0; i < k; i++) {
            for (int p = 0; p < m; p++) {
                double z = u[i * m + p];
                for (int j = 0; j < k; j++) {
                    z += (double) a.data()[(i * k + j) * m + p] * hPrev[j * m + p];
                }
                out[i * m + p] = Math.tanh(z);
            }
        }
        return out;
    }
}
