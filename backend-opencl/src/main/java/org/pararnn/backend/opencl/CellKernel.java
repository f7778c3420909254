package org.pararnn.backend.opencl;

/**
 * The fields and passes the fused cell kernels share on top of the scan: the cell's inputs
 * ({@code u [B][T][3D]}, weights {@code w = A [3][D]}, {@code cw = C}), its initial state {@code h0},
 * the Newton bookkeeping (per-work-item residual and scale) and the adjoint's outputs.
 *
 * <p>Pass ids: {@link #PASS_SEQUENTIAL} walks every feature through all steps; {@link #PASS_NEWTON} is
 * one fused Newton pass per chunk (evaluate {@code f} and {@code J} at the old iterate, measure its
 * residual, advance the chunk-local affine scan, keep {@code J} in {@code a} for the fix-up);
 * {@link #PASS_JACOBIAN} writes every step's Jacobian from the forward states for the adjoint's reverse
 * scan; {@link #PASS_GRADIENTS} turns the adjoint into {@code ∂L/∂u}, per-work-item weight-gradient
 * partial sums and {@code ∂L/∂h0}; {@link #PASS_DAMP} relaxes a Newton step.
 */
abstract class CellKernel extends ChunkedScanKernel {
    static final int PASS_SEQUENTIAL = FIRST_CELL_PASS;
    static final int PASS_NEWTON = FIRST_CELL_PASS + 1;
    static final int PASS_JACOBIAN = FIRST_CELL_PASS + 2;
    static final int PASS_GRADIENTS = FIRST_CELL_PASS + 3;
    static final int PASS_DAMP = FIRST_CELL_PASS + 4;

    /** Features {@code D}. */
    int dw;
    int batch;
    int hasH0;
    /** 1 while the old iterate is the zero initial guess (nothing on the device to read). */
    int zeroGuess;
    float damping = 1f;

    float[] u = {0f};
    float[] w = {0f};
    float[] cw = {0f};
    float[] h0 = {0f};
    float[] res = {0f};
    float[] fmax = {0f};
    float[] gradU = {0f};
    float[] gpart = {0f};
    float[] gradInit = {0f};

    /** One entry point for every pass; Aparapi resolves the cell's methods on the concrete kernel class. */
    @Override
    public void run() {
        if (pass < FIRST_CELL_PASS) {
            scanPass();
        } else if (pass == PASS_SEQUENTIAL) {
            sequential();
        } else if (pass == PASS_NEWTON) {
            newton();
        } else if (pass == PASS_JACOBIAN) {
            jacobian();
        } else if (pass == PASS_GRADIENTS) {
            gradients();
        } else if (pass == PASS_DAMP) {
            damp();
        }
    }

    abstract void sequential();

    abstract void newton();

    abstract void jacobian();

    abstract void gradients();

    float sigmoid(float x) {
        return 1f / (1f + exp(-x));
    }

    /** {@code max} that keeps a NaN (OpenCL's fmax drops it, which would hide a diverged iterate). */
    float maxKeepNaN(float acc, float v) {
        return v > acc || v != v ? v : acc;
    }

    /** {@code y_new ← old + damping · (y_new − old)} over all states. */
    void damp() {
        int i = getGlobalId();
        if (i < batch * steps * width) {
            float old = zeroGuess == 1 ? 0f : oldGet(i);
            ySet(i, old + damping * (yGet(i) - old));
        }
    }
}
