package org.pararnn.api;

import java.util.List;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;

/**
 * A recurrent cell {@code h_t = f(h_{t-1}, u_t; θ)} with {@code u_t = P(x_t)} (docs/design.md §1).
 *
 * <p>The contract splits the cell into the pieces every solving mode needs:
 * <ul>
 *   <li>{@link #project}: the input-only part, one big matrix product over all rows {@code (b, t)};
 *       shared by every mode;</li>
 *   <li>{@link #step}: one sequential step (the ground truth);</li>
 *   <li>{@link #linearize}: {@code f} and {@code J = ∂f/∂h} at one point, used by Newton at every
 *       {@code t} independently;</li>
 *   <li>{@link #backwardStep} and {@link #projectBackward}: the vector-Jacobian products of the
 *       adjoint method.</li>
 * </ul>
 * Row-wise methods take an array and an offset for each operand so that solvers can walk
 * {@code [B][T][W]} tensors without copying. Implementations must be re-entrant: solvers call them
 * from many threads at once, each with its own output arrays and its own {@link Gradients}.
 *
 * <p>The state has width {@link #stateWidth()}; the cell's visible output is the contiguous slice
 * {@code [outputOffset, outputOffset + outputWidth)} of the state (all of it for a GRU; the {@code h}
 * half of {@code [c; h]} for an LSTM).
 */
public interface Cell {

    /**
     * A stable identifier of the cell's equations and parameter layout (e.g. {@code pararnn.paragru}).
     * Backends use it to recognise cells they have fused kernels for; custom cells pick their own.
     */
    String type();

    /** {@code N}: features of {@code x_t}. */
    int inputWidth();

    /** Width of {@code u_t = P(x_t)}. */
    int projectedWidth();

    /** {@code S}: floats of state per step. */
    int stateWidth();

    default int outputOffset() {
        return 0;
    }

    default int outputWidth() {
        return stateWidth();
    }

    /** Structure of {@code ∂f/∂h}; decides the scan used by parallel modes. */
    JacobianStructure jacobianStructure();

    /** The trainable parameters, in a fixed order, as live tensors (writes change the cell). */
    List<Tensor> parameters();

    /**
     * {@code u[r] = P(x[r])} for {@code rows} rows: {@code x [rows][N] → u [rows][P]}. Products go through
     * {@code ops}, the backend's ({@link org.pararnn.api.spi.Backend#ops()}; the solver passes them), so the
     * backend, not the cell, decides how they run; the arrays are wrapped as
     * {@link org.pararnn.api.ops.HostArray}s.
     */
    void project(Ops ops, float[] x, float[] u, int rows);

    /**
     * Backward of {@link #project}: given {@code gradU [rows][P]}, accumulates the projection's
     * parameter gradients into {@code grads} and, when {@code gradX} is non-null, <em>writes</em>
     * {@code gradX [rows][N]}; products through {@code ops}, as in {@link #project}.
     */
    void projectBackward(Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows);

    /**
     * Whether {@link #project(Ops, CellArrays, Matrix, Matrix)} and its backward run on any ops' own arrays,
     * which a solve that stays on a device needs ({@link org.pararnn.api.LayerSolve}). False by default: a cell
     * that projects only Java arrays is solved through them.
     */
    default boolean projectsOnOps() {
        return false;
    }

    /**
     * {@code u = P(x)} on {@code ops}' own arrays: {@code x [rows][N] → u [rows][P]}, the parameters read from
     * {@code params}. Implemented where {@link #projectsOnOps()} says so.
     */
    default void project(Ops ops, CellArrays params, Matrix x, Matrix u) {
        throw new UnsupportedOperationException("cell " + type() + " projects only Java arrays");
    }

    /**
     * The backward of {@link #project(Ops, CellArrays, Matrix, Matrix)}: adds the projection's parameter
     * gradients into {@code params}' gradients and, when {@code gradX} is non-null, <em>writes</em> it.
     */
    default void projectBackward(Ops ops, CellArrays params, Matrix x, Matrix gradU, Matrix gradX) {
        throw new UnsupportedOperationException("cell " + type() + " projects only Java arrays");
    }

    /** One step: {@code out = f(hPrev, u)}. */
    void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff);

    /**
     * {@code f = f(hPrev, u)} and {@code jac = ∂f/∂h (hPrev, u)} in the layout of
     * {@link #jacobianStructure()} ({@code coefficientsPerStep(S)} floats at {@code jOff}).
     */
    void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff);

    /**
     * {@code f} and only the diagonal of {@code J} ({@code S} floats at {@code dOff}), for quasi-Newton.
     * The default evaluates the full Jacobian into a per-thread buffer and extracts the diagonal; cells
     * with an expensive Jacobian override it.
     */
    default void linearizeDiagonal(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff,
                                   float[] diag, int dOff) {
        int s = stateWidth();
        float[] jac = Scratch.floats(jacobianStructure().coefficientsPerStep(s));
        linearize(hPrev, hOff, u, uOff, f, fOff, jac, 0);
        jacobianStructure().extractDiagonal(jac, 0, diag, dOff, s);
    }

    /**
     * The adjoint pieces at one step, given {@code λ = ∂L/∂h_t} (total, including the future):
     * <em>writes</em> {@code gradU = λᵀ ∂f/∂u} and <em>adds</em> {@code λᵀ ∂f/∂θ} for the recurrent
     * parameters into {@code grads}. The gradient to {@code hPrev} is not computed here: it is
     * {@code Jᵀλ}, which the reverse scan produces.
     */
    void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff,
                      float[] gradU, int guOff, Gradients grads);
}
