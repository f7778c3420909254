package org.pararnn.api.toy;

import java.util.List;
import java.util.Random;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.Tensor;

/**
 * Test cells share a dense input projection {@code u = W x + c}; subclasses define the recurrence and a
 * float64 version of {@code f} written straight from their equation (the independent reference).
 */
public abstract class ToyCell implements Cell {
    protected final int n;
    protected final int s;
    protected final Tensor w;
    protected final Tensor c;

    protected ToyCell(int n, int s, long seed) {
        this.n = n;
        this.s = s;
        this.w = Tensor.zeros("W", s, n);
        this.c = Tensor.zeros("c", s);
        Random rnd = new Random(seed);
        for (int i = 0; i < w.size(); i++) {
            w.data()[i] = (float) (rnd.nextGaussian() / Math.sqrt(n));
        }
        for (int i = 0; i < s; i++) {
            c.data()[i] = (float) (0.1 * rnd.nextGaussian());
        }
    }

    /** The recurrent parameter tensors (after W and c in {@link #parameters()}). */
    protected abstract List<Tensor> recurrent();

    /** {@code f(hPrev, u)} in float64, from the equation. */
    public abstract double[] stepDouble(double[] hPrev, double[] u);

    @Override
    public List<Tensor> parameters() {
        java.util.ArrayList<Tensor> all = new java.util.ArrayList<>(List.of(w, c));
        all.addAll(recurrent());
        return all;
    }

    @Override
    public int inputWidth() {
        return n;
    }

    @Override
    public int projectedWidth() {
        return s;
    }

    @Override
    public int stateWidth() {
        return s;
    }

    @Override
    public void project(org.pararnn.api.ops.Ops ops, float[] x, float[] u, int rows) {
        float[] wd = w.data();
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < s; i++) {
                float acc = c.data()[i];
                for (int j = 0; j < n; j++) {
                    acc += wd[i * n + j] * x[r * n + j];
                }
                u[r * s + i] = acc;
            }
        }
    }

    @Override
    public void projectBackward(org.pararnn.api.ops.Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows) {
        float[] gw = grads.data("W");
        float[] gc = grads.data("c");
        float[] wd = w.data();
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < s; i++) {
                float g = gradU[r * s + i];
                gc[i] += g;
                for (int j = 0; j < n; j++) {
                    gw[i * n + j] += g * x[r * n + j];
                }
            }
            if (gradX != null) {
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int i = 0; i < s; i++) {
                        acc += wd[i * n + j] * gradU[r * s + i];
                    }
                    gradX[r * n + j] = acc;
                }
            }
        }
    }

    /** {@code u = W x + c} in float64. */
    public double[] projectDouble(double[] x) {
        double[] u = new double[s];
        for (int i = 0; i < s; i++) {
            double acc = c.data()[i];
            for (int j = 0; j < n; j++) {
                acc += (double) w.data()[i * n + j] * x[j];
            }
            u[i] = acc;
        }
        return u;
    }

    @Override
    public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
        float[] jac = new float[jacobianStructure().coefficientsPerStep(s)];
        linearize(hPrev, hOff, u, uOff, out, outOff, jac, 0);
    }
}
