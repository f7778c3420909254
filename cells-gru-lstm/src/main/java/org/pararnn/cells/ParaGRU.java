package org.pararnn.cells;

import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;

/**
 * The multi-head diagonal GRU of the ParaRNN reference (docs/design.md §2), state {@code h} of width {@code D}:
 * <pre>
 *   z = σ(A_z⊙h + u_z)   r = σ(A_r⊙h + u_r)   n = tanh(A_h⊙h⊙r + u_h)   f = z⊙n + (1−z)⊙h
 * </pre>
 * Every gate sees only its own feature of {@code h}, so {@code ∂f/∂h} is diagonal and a Newton
 * iteration costs one {@code O(T·D)} scan. Parameters: {@code A [3,D]}, {@code B [H,N/H,3,D/H]},
 * {@code b [3,D]}, rows {@code z, r, h}.
 */
public final class ParaGRU extends ParaCell {
    public static final String TYPE = "pararnn.paragru";

    /** Zero parameters; call {@link #initialize} or load weights. */
    public ParaGRU(int inputs, int width, int heads) {
        super(inputs, width, heads, false);
    }

    /** With the reference initialisation. */
    public static ParaGRU create(int inputs, int width, int heads, long seed) {
        ParaGRU cell = new ParaGRU(inputs, width, heads);
        cell.initialize(Initialization.REFERENCE, seed);
        return cell;
    }

    @Override
    public String type() {
        return TYPE;
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
    protected int gateBiasRow() {
        return 0;
    }

    @Override
    protected boolean gateKeepsState() {
        return false; // h = (1 − z)·h + z·c: a low z keeps h
    }

    @Override
    public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
        linearize(hPrev, hOff, u, uOff, out, outOff, null, 0);
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        float[] av = a.data();
        int dw = width;
        for (int d = 0; d < dw; d++) {
            float h = hPrev[hOff + d];
            float az = av[d];
            float ar = av[dw + d];
            float ah = av[2 * dw + d];
            float z = sigmoid(az * h + u[uOff + d]);
            float r = sigmoid(ar * h + u[uOff + dw + d]);
            float n = tanh(ah * h * r + u[uOff + 2 * dw + d]);
            f[fOff + d] = z * n + (1f - z) * h;
            if (jac != null) {
                float dn = (1f - n * n) * ah * (r + h * r * (1f - r) * ar);
                jac[jOff + d] = z * (1f - z) * az * (n - h) + z * dn + (1f - z);
            }
        }
    }

    @Override
    public void linearizeDiagonal(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff,
                                  float[] diag, int dOff) {
        linearize(hPrev, hOff, u, uOff, f, fOff, diag, dOff);
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                             float[] gradU, int guOff, Gradients grads) {
        float[] av = a.data();
        float[] ga = grads.data("A");
        int dw = width;
        for (int d = 0; d < dw; d++) {
            float h = hPrev[hOff + d];
            float ar = av[dw + d];
            float ah = av[2 * dw + d];
            float z = sigmoid(av[d] * h + u[uOff + d]);
            float r = sigmoid(ar * h + u[uOff + dw + d]);
            float n = tanh(ah * h * r + u[uOff + 2 * dw + d]);
            float l = lambda[lOff + d];
            float gz = l * (n - h) * z * (1f - z);
            float gn = l * z * (1f - n * n);
            float gr = gn * ah * h * r * (1f - r);
            gradU[guOff + d] = gz;
            gradU[guOff + dw + d] = gr;
            gradU[guOff + 2 * dw + d] = gn;
            ga[d] += gz * h;
            ga[dw + d] += gr * h;
            ga[2 * dw + d] += gn * h * r;
        }
    }
}
