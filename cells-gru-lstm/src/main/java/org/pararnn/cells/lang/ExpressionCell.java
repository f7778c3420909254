package org.pararnn.cells.lang;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pararnn.api.Cell;
import org.pararnn.api.Checks;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Tensor;
import org.pararnn.cells.HeadProjectedCell;
import org.pararnn.cells.HeadProjection;

/**
 * A {@link CellSpec} at given widths: an ordinary {@link Cell} whose step, Jacobian and adjoint pieces run
 * three compiled {@link Tape}s (the step; the step and {@code ∂f/∂h}; the step's partials in {@code u} and
 * in the parameters), so every mode and every backend solves it. Parameters: the projection's {@code B}
 * and {@code b} (the reference's layout, {@code G} gates), then the spec's, {@code [rows][D]} each.
 */
public final class ExpressionCell extends HeadProjectedCell implements org.pararnn.api.spi.CellTape.Source {
    private final CellSpec spec;
    private final int inputs;
    private final int width;
    private final HeadProjection projection;
    private final Map<String, Tensor> declared = new LinkedHashMap<>();
    /** The square parameters, {@code [D][D]}, in declaration order. */
    private final Map<String, Tensor> matrices = new LinkedHashMap<>();
    private final List<Tensor> parameters;
    private final Tape stepTape;
    private final Tape jacobianTape;
    private final Tape adjointTape;
    /** Which (block, block) entries of {@code ∂f/∂h} the Jacobian tape computes, in its root order after the K values. */
    private final int[][] jacobianRoots;
    private final ThreadLocal<Scratch> scratch;
    /** The declared parameters' live arrays, as the tapes index them (a tensor's array never changes). */
    private final float[][] paramArrays;

    /** Per-thread registers of the three tapes and the parameters' arrays in declaration order. */
    private static final class Scratch {
        final float[][] step;
        final float[][] jacobian;
        final float[][] adjoint;

        Scratch(int step, int jacobian, int adjoint, int width) {
            this.step = new float[step][width];
            this.jacobian = new float[jacobian][width];
            this.adjoint = new float[adjoint][width];
        }
    }

    ExpressionCell(CellSpec spec, int inputs, int width, int heads, long seed) {
        Checks.positive("input width N", inputs);
        Checks.positive("state width D", width);
        Checks.positive("heads H", heads);
        if (inputs % heads != 0 || width % heads != 0) {
            throw new IllegalArgumentException("cell " + spec.type + ": N = " + inputs + " and D = " + width
                    + " must both be divisible by H = " + heads);
        }
        this.spec = spec;
        this.inputs = inputs;
        this.width = width;
        this.projection = new HeadProjection(heads, inputs, width, spec.gates);
        List<Tensor> all = new ArrayList<>(List.of(projection.weight(), projection.bias()));
        spec.params.forEach((name, rows) -> {
            Tensor t = Tensor.zeros(name, rows, width);
            declared.put(name, t);
            all.add(t);
        });
        spec.matrices.keySet().forEach(name -> {
            Tensor t = Tensor.zeros(name, width, width);
            matrices.put(name, t);
            all.add(t);
        });
        this.parameters = List.copyOf(all);
        List<float[]> arrays = new ArrayList<>();
        declared.values().forEach(t -> arrays.add(t.data()));
        matrices.values().forEach(t -> arrays.add(t.data()));
        this.paramArrays = arrays.toArray(new float[0][]);
        List<String> names = spec.parameterNames();
        int k = spec.blocks;
        stepTape = Tape.compile(spec.next, names);
        List<Expr> jRoots = new ArrayList<>(spec.next);
        List<int[]> entries = new ArrayList<>();
        boolean blocks = !(spec.structure instanceof JacobianStructure.Diagonal);
        for (int r = 0; r < k; r++) {
            for (int c = 0; c < k; c++) {
                if (r == c || blocks) {
                    entries.add(new int[] {r, c});
                    jRoots.add(Expr.derivative(spec.next.get(r), new Expr.Var(Expr.Op.STATE, c, null)));
                }
            }
        }
        jacobianRoots = entries.toArray(new int[0][]);
        // Dense: each block's partials in every product W·h_j, which J assembles with W's rows.
        for (int r = 0; r < k; r++) {
            for (Expr.Var m : spec.matvecs) {
                jRoots.add(Expr.derivative(spec.next.get(r), m));
            }
        }
        jacobianTape = Tape.compile(jRoots, names);
        List<Expr> aRoots = new ArrayList<>();
        for (int r = 0; r < k; r++) {
            for (int g = 0; g < spec.gates; g++) {
                aRoots.add(Expr.derivative(spec.next.get(r), new Expr.Var(Expr.Op.INPUT, g, null)));
            }
            for (String name : spec.params.keySet()) {
                for (int row = 0; row < spec.params.get(name); row++) {
                    aRoots.add(Expr.derivative(spec.next.get(r), new Expr.Var(Expr.Op.PARAM, row, name)));
                }
            }
            for (Expr.Var m : spec.matvecs) {
                aRoots.add(Expr.derivative(spec.next.get(r), m));
            }
        }
        adjointTape = Tape.compile(aRoots, names);
        int regsStep = stepTape.registers();
        int regsJac = jacobianTape.registers();
        int regsAdj = adjointTape.registers();
        scratch = ThreadLocal.withInitial(() -> new Scratch(regsStep, regsJac, regsAdj, width));
        initialize(seed);
    }

    /** The reference's draws: {@code B} uniform in ±√(6/(N/H + D)), {@code b} zero, the spec's parameters as declared. */
    public ExpressionCell initialize(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] w = projection.weight().data();
        double bound = Math.sqrt(6.0 / (inputs / (double) projection.weight().shape()[0] + width));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((2 * rnd.nextDouble() - 1) * bound);
        }
        java.util.Arrays.fill(projection.bias().data(), 0f);
        for (Tensor m : matrices.values()) {
            float[] data = m.data();
            for (int i = 0; i < data.length; i++) {
                data[i] = recurrentDraw(rnd);
            }
        }
        for (Map.Entry<String, Tensor> e : declared.entrySet()) {
            double v = spec.init.get(e.getKey());
            float[] data = e.getValue().data();
            for (int i = 0; i < data.length; i++) {
                data[i] = Double.isNaN(v) ? recurrentDraw(rnd) : (float) v;
            }
        }
        return this;
    }

    /** A recurrent weight as the reference draws them: Gaussian, std 1/√D, clipped to ±2 std. */
    private float recurrentDraw(SplittableRandom rnd) {
        double z;
        do {
            z = rnd.nextGaussian();
        } while (Math.abs(z) > 2);
        return (float) (z / Math.sqrt(width));
    }

    public CellSpec spec() {
        return spec;
    }

    /** The host tapes (step, Jacobian, adjoint) and the parameters' arrays in their order: for tests of {@link #tape()}. */
    List<Tape> hostTapes() {
        return List.of(stepTape, jacobianTape, adjointTape);
    }

    float[][] parameterArrays() {
        return paramArrays;
    }

    /**
     * The step, its Jacobian entries and the adjoint's partials as a portable tape (docs/design.md §4, "Cell tapes"):
     * what a backend interprets on its device. The same programs this cell runs on the host.
     */
    @Override
    public org.pararnn.api.spi.CellTape tape() {
        List<String> names = spec.parameterNames();
        List<org.pararnn.api.spi.CellTape.Param> params = new ArrayList<>();
        for (String name : names) {
            boolean matrix = matrices.containsKey(name);
            params.add(new org.pararnn.api.spi.CellTape.Param(name, matrix ? width : spec.params.get(name), matrix));
        }
        List<int[]> products = new ArrayList<>();
        for (Expr.Var m : spec.matvecs) {
            products.add(new int[] {names.indexOf(m.name()), m.index()});
        }
        return new org.pararnn.api.spi.CellTape(spec.blocks, spec.gates, params, stepTape.portable(),
                jacobianTape.portable(), List.of(jacobianRoots), adjointTape.portable(), products);
    }

    @Override
    public String type() {
        return spec.type;
    }

    @Override
    public int inputWidth() {
        return inputs;
    }

    @Override
    public int projectedWidth() {
        return spec.gates * width;
    }

    @Override
    public int stateWidth() {
        return spec.blocks * width;
    }

    @Override
    public int outputOffset() {
        return spec.outputBlock < 0 ? 0 : spec.outputBlock * width;
    }

    @Override
    public int outputWidth() {
        return spec.outputBlock < 0 ? stateWidth() : width;
    }

    @Override
    public JacobianStructure jacobianStructure() {
        return spec.structure;
    }

    @Override
    public List<Tensor> parameters() {
        return parameters;
    }

    @Override
    protected HeadProjection projection() {
        return projection;
    }

    @Override
    public void step(float[] hPrev, int hOff, float[] u, int uOff, float[] out, int outOff) {
        float[][] regs = scratch.get().step;
        stepTape.run(hPrev, hOff, u, uOff, paramArrays, regs, width);
        for (int k = 0; k < spec.blocks; k++) {
            System.arraycopy(regs[stepTape.output(k)], 0, out, outOff + k * width, width);
        }
    }

    @Override
    public void linearize(float[] hPrev, int hOff, float[] u, int uOff, float[] f, int fOff, float[] jac, int jOff) {
        float[][] regs = scratch.get().jacobian;
        jacobianTape.run(hPrev, hOff, u, uOff, paramArrays, regs, width);
        int k = spec.blocks;
        for (int r = 0; r < k; r++) {
            System.arraycopy(regs[jacobianTape.output(r)], 0, f, fOff + r * width, width);
        }
        if (jac == null) {
            return;
        }
        if (spec.structure instanceof JacobianStructure.Dense) {
            denseJacobian(regs, hPrev, hOff, jac, jOff);
            return;
        }
        boolean blocks = spec.structure instanceof JacobianStructure.BlockDiagonal;
        for (int e = 0; e < jacobianRoots.length; e++) {
            int r = jacobianRoots[e][0];
            int c = jacobianRoots[e][1];
            int at = blocks ? (r * k + c) * width : r * width;
            System.arraycopy(regs[jacobianTape.output(k + e)], 0, jac, jOff + at, width);
        }
    }

    /**
     * {@code J[(r, d)][(c, e)] = δ_de·∂f_r/∂h_c[d] + Σ_m ∂f_r/∂(W_m·h_c)[d]·W_m[d][e]} over the products on
     * block {@code c}: the local partials and each product's, from the Jacobian tape.
     */
    private void denseJacobian(float[][] regs, float[] hPrev, int hOff, float[] jac, int jOff) {
        int k = spec.blocks;
        int s = k * width;
        java.util.Arrays.fill(jac, jOff, jOff + s * s, 0f);
        for (int e = 0; e < jacobianRoots.length; e++) {
            int r = jacobianRoots[e][0];
            int c = jacobianRoots[e][1];
            float[] local = regs[jacobianTape.output(k + e)];
            for (int d = 0; d < width; d++) {
                jac[jOff + (r * width + d) * s + c * width + d] += local[d];
            }
        }
        int root = k + jacobianRoots.length;
        for (int r = 0; r < k; r++) {
            for (Expr.Var m : spec.matvecs) {
                float[] coef = regs[jacobianTape.output(root++)];
                float[] w = matrices.get(m.name()).data();
                int c = m.index();
                for (int d = 0; d < width; d++) {
                    int row = jOff + (r * width + d) * s + c * width;
                    float cd = coef[d];
                    for (int e = 0; e < width; e++) {
                        jac[row + e] += cd * w[d * width + e];
                    }
                }
            }
        }
    }

    @Override
    public void backwardStep(float[] hPrev, int hOff, float[] u, int uOff, float[] lambda, int lOff, float[] gradU, int guOff,
                             Gradients grads) {
        float[][] regs = scratch.get().adjoint;
        adjointTape.run(hPrev, hOff, u, uOff, paramArrays, regs, width);
        int g = spec.gates;
        java.util.Arrays.fill(gradU, guOff, guOff + g * width, 0f);
        int root = 0;
        for (int r = 0; r < spec.blocks; r++) {
            int l = lOff + r * width;
            for (int q = 0; q < g; q++) {
                float[] d = regs[adjointTape.output(root++)];
                int o = guOff + q * width;
                for (int i = 0; i < width; i++) {
                    gradU[o + i] += lambda[l + i] * d[i];
                }
            }
            for (Map.Entry<String, Tensor> e : declared.entrySet()) {
                float[] into = grads.data(e.getKey());
                for (int row = 0; row < e.getValue().shape()[0]; row++) {
                    float[] d = regs[adjointTape.output(root++)];
                    int o = row * width;
                    for (int i = 0; i < width; i++) {
                        into[o + i] += lambda[l + i] * d[i];
                    }
                }
            }
            // ∂(W·h_c)[d]/∂W[d][e] = h_c[e]: each product's partial, weighted by λ, times the block it multiplies.
            for (Expr.Var m : spec.matvecs) {
                float[] d = regs[adjointTape.output(root++)];
                float[] into = grads.data(m.name());
                int hc = hOff + m.index() * width;
                for (int i = 0; i < width; i++) {
                    float li = lambda[l + i] * d[i];
                    int o = i * width;
                    for (int e = 0; e < width; e++) {
                        into[o + e] += li * hPrev[hc + e];
                    }
                }
            }
        }
    }
}
