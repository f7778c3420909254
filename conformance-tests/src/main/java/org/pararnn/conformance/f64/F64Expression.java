package org.pararnn.conformance.f64;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.pararnn.api.Tensor;
import org.pararnn.cells.lang.CellSpec;
import org.pararnn.cells.lang.Expr;
import org.pararnn.cells.lang.ExpressionCell;

/**
 * The float64 twin of a cell written in the cell language: its expressions evaluated by walking the tree in
 * double, one feature at a time, and differentiated by reverse-mode accumulation over the same walk — a
 * different algorithm from the cell's (symbolic derivatives compiled to float tapes), sharing only the
 * equations. The projection is {@link F64Projection} with the spec's gates.
 */
public final class F64Expression implements F64Cell {
    private final CellSpec spec;
    private final int n;
    private final int d;
    private final F64Projection proj;
    /** Parameter (row or matrix) name → its values. */
    private final Map<String, float[]> values = new HashMap<>();

    public F64Expression(ExpressionCell cell) {
        this.spec = cell.spec();
        this.n = cell.inputWidth();
        this.d = spec.stateBlocks() == 0 ? 0 : cell.stateWidth() / spec.stateBlocks();
        for (Tensor t : cell.parameters()) {
            values.put(t.name(), t.data());
        }
        int heads = cell.parameters().get(0).shape()[0]; // B [H][N/H][G][D/H]
        this.proj = new F64Projection(n, d, heads, spec.gates(), values.get("B"), values.get("b"));
    }

    @Override
    public int inputs() {
        return n;
    }

    @Override
    public int state() {
        return spec.stateBlocks() * d;
    }

    @Override
    public int outOffset() {
        return spec.outputBlock() < 0 ? 0 : spec.outputBlock() * d;
    }

    @Override
    public int outWidth() {
        return spec.outputBlock() < 0 ? state() : d;
    }

    @Override
    public double[] project(double[] x) {
        return proj.project(x);
    }

    /** Values of every node at feature {@code i}. */
    private Map<Expr, Double> evaluate(Expr e, double[] h, double[] u, int i, Map<Expr, Double> memo) {
        if (memo.containsKey(e)) {
            return memo;
        }
        for (Expr o : e.operands()) {
            evaluate(o, h, u, i, memo);
        }
        List<Expr> ops = e.operands();
        double a = ops.size() > 0 ? memo.get(ops.get(0)) : 0;
        double b = ops.size() > 1 ? memo.get(ops.get(1)) : 0;
        double c = ops.size() > 2 ? memo.get(ops.get(2)) : 0;
        double v = switch (e.op()) {
            case CONST -> e.constantValue();
            case STATE -> h[e.index() * d + i];
            case INPUT -> u[e.index() * d + i];
            case PARAM -> values.get(e.name())[e.index() * d + i];
            case MATVEC -> {
                float[] w = values.get(e.name());
                double acc = 0;
                for (int j = 0; j < d; j++) {
                    acc += w[i * d + j] * h[e.index() * d + j];
                }
                yield acc;
            }
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case NEG -> -a;
            case EXP -> Math.exp(a);
            case LOG -> Math.log(a);
            case TANH -> Math.tanh(a);
            case SIGMOID -> 1 / (1 + Math.exp(-a));
            case SOFTPLUS -> Math.log1p(Math.exp(a));
            case SILU -> a / (1 + Math.exp(-a));
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case WHERE -> a > 0 ? b : c;
        };
        memo.put(e, v);
        return memo;
    }

    @Override
    public double[] step(double[] h, double[] u) {
        double[] out = new double[state()];
        for (int k = 0; k < spec.stateBlocks(); k++) {
            for (int i = 0; i < d; i++) {
                Expr root = spec.next(k);
                out[k * d + i] = evaluate(root, h, u, i, new IdentityHashMap<>()).get(root);
            }
        }
        return out;
    }

    @Override
    public void stepBackward(double[] h, double[] u, double[] lam, double[] gh, double[] gu, Map<String, double[]> grads) {
        java.util.Arrays.fill(gh, 0);
        java.util.Arrays.fill(gu, 0);
        for (int k = 0; k < spec.stateBlocks(); k++) {
            for (int i = 0; i < d; i++) {
                Expr root = spec.next(k);
                Map<Expr, Double> val = evaluate(root, h, u, i, new IdentityHashMap<>());
                // Reverse mode: adjoints from the root down, each node after every node that uses it.
                List<Expr> order = new ArrayList<>();
                topological(root, new IdentityHashMap<>(), order);
                Map<Expr, Double> adj = new IdentityHashMap<>();
                adj.put(root, lam[k * d + i]);
                for (int p = order.size() - 1; p >= 0; p--) {
                    Expr e = order.get(p);
                    double g = adj.getOrDefault(e, 0.0);
                    if (g == 0) {
                        continue;
                    }
                    backward(e, g, val, adj, h, i, gh, gu, grads);
                }
            }
        }
    }

    private void topological(Expr e, Map<Expr, Boolean> seen, List<Expr> order) {
        if (seen.put(e, Boolean.TRUE) != null) {
            return;
        }
        for (Expr o : e.operands()) {
            topological(o, seen, order);
        }
        order.add(e);
    }

    private void backward(Expr e, double g, Map<Expr, Double> val, Map<Expr, Double> adj, double[] h, int i, double[] gh,
                          double[] gu, Map<String, double[]> grads) {
        List<Expr> ops = e.operands();
        double v = val.get(e);
        switch (e.op()) {
            case CONST -> {
            }
            case STATE -> gh[e.index() * d + i] += g;
            case INPUT -> gu[e.index() * d + i] += g;
            case PARAM -> grads.get(e.name())[e.index() * d + i] += g;
            case MATVEC -> {
                float[] w = values.get(e.name());
                double[] gw = grads.get(e.name());
                for (int j = 0; j < d; j++) {
                    gh[e.index() * d + j] += g * w[i * d + j];
                    gw[i * d + j] += g * h[e.index() * d + j];
                }
            }
            case ADD -> {
                add(adj, ops.get(0), g);
                add(adj, ops.get(1), g);
            }
            case SUB -> {
                add(adj, ops.get(0), g);
                add(adj, ops.get(1), -g);
            }
            case MUL -> {
                add(adj, ops.get(0), g * val.get(ops.get(1)));
                add(adj, ops.get(1), g * val.get(ops.get(0)));
            }
            case DIV -> {
                double b = val.get(ops.get(1));
                add(adj, ops.get(0), g / b);
                add(adj, ops.get(1), -g * val.get(ops.get(0)) / (b * b));
            }
            case NEG -> add(adj, ops.get(0), -g);
            case EXP -> add(adj, ops.get(0), g * v);
            case LOG -> add(adj, ops.get(0), g / val.get(ops.get(0)));
            case TANH -> add(adj, ops.get(0), g * (1 - v * v));
            case SIGMOID -> add(adj, ops.get(0), g * v * (1 - v));
            case SOFTPLUS -> add(adj, ops.get(0), g / (1 + Math.exp(-val.get(ops.get(0)))));
            case SILU -> {
                double x = val.get(ops.get(0));
                double s = 1 / (1 + Math.exp(-x));
                add(adj, ops.get(0), g * (s + x * s * (1 - s)));
            }
            case MAX -> add(adj, val.get(ops.get(0)) - val.get(ops.get(1)) > 0 ? ops.get(0) : ops.get(1), g);
            case MIN -> add(adj, val.get(ops.get(1)) - val.get(ops.get(0)) > 0 ? ops.get(0) : ops.get(1), g);
            case WHERE -> add(adj, val.get(ops.get(0)) > 0 ? ops.get(1) : ops.get(2), g);
        }
    }

    private static void add(Map<Expr, Double> adj, Expr e, double g) {
        adj.merge(e, g, Double::sum);
    }

    @Override
    public void projectBackward(double[] x, double[] gu, double[] gx, Map<String, double[]> grads) {
        proj.backward(x, gu, gx, grads);
    }

    @Override
    public Map<String, double[]> zeroGrads() {
        Map<String, double[]> m = new HashMap<>();
        values.forEach((name, v) -> m.put(name, new double[v.length]));
        return m;
    }
}
