package org.pararnn.api.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;
import org.pararnn.api.ops.HostOps;

/**
 * Checks any {@link Cell} (hand-written or derived) against finite differences of its own {@link Cell#step}
 * and {@link Cell#project}, taken in float64 from float32 evaluations (central differences at two step sizes,
 * combined by Richardson extrapolation), at a few random points (docs/design.md §4):
 * <ul>
 *   <li>{@code f} of {@link Cell#linearize} and {@link Cell#linearizeDiagonal} equals {@link Cell#step};</li>
 *   <li>{@code ∂f/∂h}, expanded from the declared {@link JacobianStructure}, matches the differences of
 *       {@code step} entry by entry, so a Jacobian wider than its declared structure is caught too; the
 *       diagonal of {@code linearizeDiagonal} matches {@code J}'s;</li>
 *   <li>{@link Cell#backwardStep}'s {@code λᵀ∂f/∂u} and {@code λᵀ∂f/∂θ}, and {@link Cell#projectBackward}'s
 *       {@code μᵀ∂P/∂x} and {@code μᵀ∂P/∂θ}, match the differences of {@code λ·f} and {@code μ·P}.</li>
 * </ul>
 * An entry agrees when {@code |derived − difference| ≤ tolerance · max(1, largest difference of its
 * kind)}; the float32 evaluations' rounding leaves about 1e-5 of that, a wrong formula far more. The cell's
 * parameters are perturbed in place one at a time and restored exactly; do not solve with the cell while it
 * is checked.
 */
public final class CellCheck {
    private CellCheck() {
    }

    /** Points checked, their seed, the agreement bound, and how many elements of a large tensor to sample. */
    public record Options(long seed, int points, double tolerance, int samplesPerTensor) {
        public static Options defaults() {
            return new Options(17, 3, 1e-3, 48);
        }
    }

    /** One disagreement: what was compared, where, the cell's value, the finite difference, the scaled error. */
    public record Mismatch(String what, String where, double derived, double difference, double error) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s %s: cell %.6g, finite difference %.6g (error %.2e)", what, where, derived,
                    difference, error);
        }
    }

    /** What a check found: how many values it compared, the worst scaled error, and every disagreement. */
    public record Report(String cell, int compared, double worst, double tolerance, List<Mismatch> mismatches) {
        public boolean passed() {
            return mismatches.isEmpty();
        }

        /** This report when it passed; else an {@link AssertionError} listing what disagrees. */
        public Report orThrow() {
            if (!passed()) {
                throw new AssertionError(toString());
            }
            return this;
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                    "CellCheck of %s: %d values compared, worst error %.2e (bound %.1e): %s", cell, compared, worst, tolerance,
                    passed() ? "all agree" : mismatches.size() + " disagree"));
            int shown = 0;
            for (Mismatch m : mismatches) {
                if (shown++ == 20) {
                    sb.append("\n  … and ").append(mismatches.size() - 20).append(" more");
                    break;
                }
                sb.append("\n  ").append(m);
            }
            return sb.toString();
        }
    }

    /** Checks {@code cell} with the default options. */
    public static Report verify(Cell cell) {
        return verify(cell, Options.defaults());
    }

    public static Report verify(Cell cell, Options options) {
        return new Run(cell, options).all();
    }

    /** One check's state: the cell, its widths, the random points, what was found. */
    private static final class Run {
        private static final double STEP = 1e-2;
        private final Cell cell;
        private final Options o;
        private final int n;
        private final int p;
        private final int s;
        private final SplittableRandom rnd;
        private final List<Mismatch> mismatches = new ArrayList<>();
        private int compared;
        private double worst;

        Run(Cell cell, Options options) {
            this.cell = cell;
            this.o = options;
            this.n = cell.inputWidth();
            this.p = cell.projectedWidth();
            this.s = cell.stateWidth();
            this.rnd = new SplittableRandom(options.seed());
        }

        Report all() {
            for (int point = 0; point < o.points(); point++) {
                String at = "(point " + point + ")";
                float[] h = gaussian(s, 0.5);
                float[] u = gaussian(p, 1);
                float[] lambda = gaussian(s, 1);
                checkStep(h, u, lambda, at);
                float[] x = gaussian(n, 1);
                float[] mu = gaussian(p, 1);
                checkProjection(x, mu, at);
            }
            return new Report(cell.type(), compared, worst, o.tolerance(), List.copyOf(mismatches));
        }

        private void checkStep(float[] h, float[] u, float[] lambda, String at) {
            float[] f = new float[s];
            cell.step(h, 0, u, 0, f, 0);
            JacobianStructure st = cell.jacobianStructure();
            float[] jac = new float[st.coefficientsPerStep(s)];
            float[] fLin = new float[s];
            cell.linearize(h, 0, u, 0, fLin, 0, jac, 0);
            float[] fDiag = new float[s];
            float[] diag = new float[s];
            cell.linearizeDiagonal(h, 0, u, 0, fDiag, 0, diag, 0);
            for (int i = 0; i < s; i++) {
                exact("f of linearize", "[" + i + "] " + at, fLin[i], f[i]);
                exact("f of linearizeDiagonal", "[" + i + "] " + at, fDiag[i], f[i]);
            }
            // J column by column from the declared structure, against differences of step in h_j.
            double[][] fd = new double[s][];
            double scale = 1;
            for (int j = 0; j < s; j++) {
                fd[j] = difference(h, j, v -> widen(stepOf(v, u)));
                for (double d : fd[j]) {
                    scale = Math.max(scale, Math.abs(d));
                }
            }
            float[] unit = new float[s];
            float[] column = new float[s];
            float[] wantDiag = new float[s];
            st.extractDiagonal(jac, 0, wantDiag, 0, s);
            for (int j = 0; j < s; j++) {
                unit[j] = 1f;
                st.multiply(jac, 0, unit, 0, column, 0, s);
                unit[j] = 0f;
                for (int i = 0; i < s; i++) {
                    compare("∂f/∂h (" + st.describe() + ")", "[" + i + "][" + j + "] " + at, column[i], fd[j][i], scale);
                }
                compare("diagonal of linearizeDiagonal", "[" + j + "] " + at, diag[j], wantDiag[j], scale);
            }
            // The adjoint pieces against differences of λ·f.
            Gradients grads = Gradients.of(cell);
            float[] gradU = new float[p];
            cell.backwardStep(h, 0, u, 0, lambda, 0, gradU, 0, grads);
            double[] du = new double[p];
            double uScale = 1;
            for (int k = 0; k < p; k++) {
                du[k] = scalarDifference(u, k, v -> dot(lambda, stepOf(h, v)));
                uScale = Math.max(uScale, Math.abs(du[k]));
            }
            for (int k = 0; k < p; k++) {
                compare("λᵀ∂f/∂u of backwardStep", "[" + k + "] " + at, gradU[k], du[k], uScale);
            }
            parameters("λᵀ∂f/∂θ of backwardStep", grads, () -> dot(lambda, stepOf(h, u)), at);
        }

        private void checkProjection(float[] x, float[] mu, String at) {
            Gradients grads = Gradients.of(cell);
            float[] gradX = new float[n];
            cell.projectBackward(HostOps.ON_THIS_THREAD, x, mu, gradX, grads, 1);
            double[] dx = new double[n];
            double scale = 1;
            for (int k = 0; k < n; k++) {
                dx[k] = scalarDifference(x, k, v -> dot(mu, projectOf(v)));
                scale = Math.max(scale, Math.abs(dx[k]));
            }
            for (int k = 0; k < n; k++) {
                compare("μᵀ∂P/∂x of projectBackward", "[" + k + "] " + at, gradX[k], dx[k], scale);
            }
            parameters("μᵀ∂P/∂θ of projectBackward", grads, () -> dot(mu, projectOf(x)), at);
        }

        /** Each parameter's gradient in {@code grads} (sampled for large tensors) against differences of {@code value}. */
        private void parameters(String what, Gradients grads, Scalar value, String at) {
            List<Tensor> params = cell.parameters();
            for (int t = 0; t < params.size(); t++) {
                float[] data = params.get(t).data();
                float[] got = grads.get(t).data();
                int stride = Math.max(1, data.length / Math.max(1, o.samplesPerTensor()));
                int offset = stride == 1 ? 0 : rnd.nextInt(stride);
                double[] fd = new double[data.length];
                double scale = 1;
                for (int e = offset; e < data.length; e += stride) {
                    fd[e] = scalarDifference(data, e, v -> value.get());
                    scale = Math.max(scale, Math.abs(fd[e]));
                }
                for (int e = offset; e < data.length; e += stride) {
                    compare(what, params.get(t).name() + "[" + e + "] " + at, got[e], fd[e], scale);
                }
            }
        }

        private float[] stepOf(float[] h, float[] u) {
            float[] out = new float[s];
            cell.step(h, 0, u, 0, out, 0);
            return out;
        }

        private float[] projectOf(float[] x) {
            float[] out = new float[p];
            cell.project(HostOps.ON_THIS_THREAD, x, out, 1);
            return out;
        }

        private interface Vector {
            double[] of(float[] v);
        }

        private interface Scalar {
            double get();
        }

        private interface ScalarOf {
            double of(float[] v);
        }

        /** ∂g/∂v_k for a vector-valued g, by central differences at δ and δ/2 combined (Richardson). */
        private double[] difference(float[] v, int k, Vector g) {
            double[] wide = central(v, k, g, STEP);
            double[] narrow = central(v, k, g, STEP / 2);
            double[] out = new double[wide.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = (4 * narrow[i] - wide[i]) / 3;
            }
            return out;
        }

        private double[] central(float[] v, int k, Vector g, double rel) {
            float keep = v[k];
            float plus = (float) (keep + rel * Math.max(1, Math.abs(keep)));
            float minus = (float) (keep - rel * Math.max(1, Math.abs(keep)));
            v[k] = plus;
            double[] a = g.of(v);
            v[k] = minus;
            double[] b = g.of(v);
            v[k] = keep;
            double width = (double) plus - minus; // the step as the floats hold it
            double[] out = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = (a[i] - b[i]) / width;
            }
            return out;
        }

        /** ∂g/∂v_k for a scalar g (which may read v through the cell's own tensors). */
        private double scalarDifference(float[] v, int k, ScalarOf g) {
            return difference(v, k, w -> new double[] {g.of(w)})[0];
        }

        private static double[] widen(float[] a) {
            double[] out = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                out[i] = a[i];
            }
            return out;
        }

        private static double dot(float[] a, float[] b) {
            double sum = 0;
            for (int i = 0; i < a.length; i++) {
                sum += (double) a[i] * b[i];
            }
            return sum;
        }

        /** Values that must agree to float32 rounding (the same computation reached two ways). */
        private void exact(String what, String where, float got, float want) {
            compared++;
            double err = Math.abs((double) got - want) / Math.max(1, Math.abs(want));
            worst = Math.max(worst, err);
            if (!(err <= 4 * Math.ulp(1f)) && !(Float.isNaN(got) && Float.isNaN(want))) {
                mismatches.add(new Mismatch(what, where, got, want, err));
            }
        }

        private void compare(String what, String where, double derived, double difference, double scale) {
            compared++;
            double err = Math.abs(derived - difference) / scale;
            worst = Math.max(worst, Double.isNaN(err) ? Double.POSITIVE_INFINITY : err);
            if (!(err <= o.tolerance())) {
                mismatches.add(new Mismatch(what, where, derived, difference, err));
            }
        }

        private float[] gaussian(int size, double std) {
            float[] v = new float[size];
            for (int i = 0; i < size; i++) {
                v[i] = (float) (std * rnd.nextGaussian());
            }
            return v;
        }
    }
}
