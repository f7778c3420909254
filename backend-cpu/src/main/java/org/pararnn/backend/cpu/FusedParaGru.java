package org.pararnn.backend.cpu;

import org.pararnn.api.Tensor;
import org.pararnn.api.spi.Recurrence;

/**
 * ParaGRU ({@code pararnn.paragru}): {@code z = σ(A_z h + u_z)}, {@code r = σ(A_r h + u_r)},
 * {@code n = tanh(A_h h r + u_h)}, {@code h' = z n + (1−z) h}, per feature, in the same float
 * operation order as the cell's own step.
 */
final class FusedParaGru extends FeatureParallelSolver {
    static final String TYPE = "pararnn.paragru";

    FusedParaGru(CpuLoop loop, int width, Tensor a) {
        super(loop, width, a, null);
    }

    @Override
    String cellName() {
        return "ParaGRU";
    }

    @Override
    void forwardRange(Recurrence p, float[] init, float[] states, int b, int d0, int d1) {
        int dw = width;
        int steps = p.steps();
        float[] u = p.u();
        for (int t = 0; t < steps; t++) {
            int r = b * steps + t;
            float[] prev = t == 0 ? init : states;
            int pOff = t == 0 ? b * dw : (r - 1) * dw;
            int uOff = r * 3 * dw;
            int oOff = r * dw;
            for (int d = d0; d < d1; d++) {
                float h = prev[pOff + d];
                float z = sigmoid(a[d] * h + u[uOff + d]);
                float rg = sigmoid(a[dw + d] * h + u[uOff + dw + d]);
                float n = tanh(a[2 * dw + d] * h * rg + u[uOff + 2 * dw + d]);
                states[oOff + d] = z * n + (1f - z) * h;
            }
        }
    }

    @Override
    void backwardRange(Recurrence p, float[] init, float[] states, float[] gradStates, float[] gradU, float[] gradA,
                       float[] gradC, float[] gradInit, int b, int d0, int d1) {
        int dw = width;
        int steps = p.steps();
        float[] u = p.u();
        float[] carry = new float[d1 - d0];
        for (int t = steps - 1; t >= 0; t--) {
            int r = b * steps + t;
            float[] prev = t == 0 ? init : states;
            int pOff = t == 0 ? b * dw : (r - 1) * dw;
            int uOff = r * 3 * dw;
            for (int d = d0; d < d1; d++) {
                float h = prev[pOff + d];
                float az = a[d];
                float ar = a[dw + d];
                float ah = a[2 * dw + d];
                float z = sigmoid(az * h + u[uOff + d]);
                float rg = sigmoid(ar * h + u[uOff + dw + d]);
                float n = tanh(ah * h * rg + u[uOff + 2 * dw + d]);
                float l = gradStates[r * dw + d] + carry[d - d0];
                float gz = l * (n - h) * z * (1f - z);
                float gn = l * z * (1f - n * n);
                float gr = gn * ah * h * rg * (1f - rg);
                gradU[uOff + d] = gz;
                gradU[uOff + dw + d] = gr;
                gradU[uOff + 2 * dw + d] = gn;
                gradA[d] += gz * h;
                gradA[dw + d] += gr * h;
                gradA[2 * dw + d] += gn * h * rg;
                float dn = (1f - n * n) * ah * (rg + h * rg * (1f - rg) * ar);
                float jac = z * (1f - z) * az * (n - h) + z * dn + (1f - z);
                carry[d - d0] = jac * l;
            }
        }
        System.arraycopy(carry, 0, gradInit, b * dw + d0, d1 - d0);
    }
}
