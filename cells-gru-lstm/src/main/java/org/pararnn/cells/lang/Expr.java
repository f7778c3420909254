package org.pararnn.cells.lang;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One feature's value in a cell's step (docs/design.md §2, "cells from expressions"): an immutable
 * expression over the previous state's blocks ({@link #state}), the projected input's gates ({@link #input}),
 * per-feature parameters ({@link #param}) and constants, all read at the feature being computed. The
 * factories simplify as they build (constants fold, {@code x + 0}, {@code x·1}, {@code x·0} vanish), so that
 * derivatives, which {@link #derivative} builds symbolically, stay small.
 */
public final class Expr {
    /** What a node is: a leaf (constant, state, input, parameter, matrix product) or an operation on its operands. */
    public enum Op {
        CONST, STATE, INPUT, PARAM, MATVEC, ADD, SUB, MUL, DIV, NEG, EXP, LOG, TANH, SIGMOID, SOFTPLUS, SILU, MAX, MIN, WHERE
    }

    final Op op;
    final double value;
    /** STATE: the block; INPUT: the gate; PARAM: the row; MATVEC: the state block multiplied. */
    final int index;
    /** PARAM, MATVEC: the parameter's name. */
    final String name;
    final Expr a;
    final Expr b;
    final Expr c;

    private Expr(Op op, double value, int index, String name, Expr a, Expr b, Expr c) {
        this.op = op;
        this.value = value;
        this.index = index;
        this.name = name;
        this.a = a;
        this.b = b;
        this.c = c;
    }

    /** What this node is. */
    public Op op() {
        return op;
    }

    /** A constant's value. */
    public double constantValue() {
        return value;
    }

    /** The state block (STATE, MATVEC), the gate (INPUT) or the parameter's row (PARAM); −1 otherwise. */
    public int index() {
        return index;
    }

    /** The parameter's or matrix's name (PARAM, MATVEC); null otherwise. */
    public String name() {
        return name;
    }

    /** The operands in order (none for a leaf; the condition first for WHERE): for tools that walk the tree. */
    public java.util.List<Expr> operands() {
        java.util.List<Expr> out = new java.util.ArrayList<>(3);
        for (Expr e : new Expr[] {a, b, c}) {
            if (e != null) {
                out.add(e);
            }
        }
        return out;
    }

    private static Expr node(Op op, Expr a, Expr b, Expr c) {
        return new Expr(op, 0, -1, null, a, b, c);
    }

    /** The constant {@code v} (finite; a NaN or infinity is refused here, naming it). */
    public static Expr constant(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("a cell's constant must be finite, got " + v);
        }
        return new Expr(Op.CONST, v, -1, null, null, null, null);
    }

    /** Block {@code block} of the previous state, at this feature. */
    public static Expr state(int block) {
        return new Expr(Op.STATE, 0, block, null, null, null, null);
    }

    /** Gate {@code gate} of the projected input {@code u}, at this feature. */
    public static Expr input(int gate) {
        return new Expr(Op.INPUT, 0, gate, null, null, null, null);
    }

    /** Row {@code row} of the per-feature parameter {@code name} ({@code [rows][D]}), at this feature. */
    public static Expr param(String name, int row) {
        return new Expr(Op.PARAM, 0, row, Objects.requireNonNull(name, "parameter name"), null, null, null);
    }

    /**
     * {@code Σ_e W[d][e]·h_block[e]}: row {@code d} of the square parameter {@code matrix} ({@code [D][D]}) times
     * the whole of state block {@code block}. Every feature then depends on every feature of that block: the
     * cell's Jacobian is inferred dense.
     */
    public static Expr matvec(String matrix, int block) {
        return new Expr(Op.MATVEC, 0, block, Objects.requireNonNull(matrix, "matrix name"), null, null, null);
    }

    boolean isConst(double v) {
        return op == Op.CONST && value == v;
    }

    /** {@code this + o}; constants fold and a zero operand disappears. */
    public Expr plus(Expr o) {
        if (op == Op.CONST && o.op == Op.CONST) {
            return constant(value + o.value);
        }
        if (isConst(0)) {
            return o;
        }
        return o.isConst(0) ? this : node(Op.ADD, this, o, null);
    }

    /** {@code this + v}. */
    public Expr plus(double v) {
        return plus(constant(v));
    }

    /** {@code this − o}; constants fold and a zero operand disappears. */
    public Expr minus(Expr o) {
        if (op == Op.CONST && o.op == Op.CONST) {
            return constant(value - o.value);
        }
        if (o.isConst(0)) {
            return this;
        }
        return isConst(0) ? o.neg() : node(Op.SUB, this, o, null);
    }

    /** {@code this · o}, elementwise at this feature; constants fold, a zero factor gives zero, a one disappears. */
    public Expr times(Expr o) {
        if (op == Op.CONST && o.op == Op.CONST) {
            return constant(value * o.value);
        }
        if (isConst(0) || o.isConst(0)) {
            return constant(0);
        }
        if (isConst(1)) {
            return o;
        }
        return o.isConst(1) ? this : node(Op.MUL, this, o, null);
    }

    /** {@code this · v}. */
    public Expr times(double v) {
        return times(constant(v));
    }

    /** {@code this / o}; a constant zero divisor is refused when the cell is built, naming the expression. */
    public Expr div(Expr o) {
        if (op == Op.CONST && o.op == Op.CONST && o.value != 0) {
            return constant(value / o.value);
        }
        if (isConst(0) && !o.isConst(0)) {
            return constant(0);
        }
        return o.isConst(1) ? this : node(Op.DIV, this, o, null);
    }

    /** {@code −this}; {@code −(−x)} is {@code x}. */
    public Expr neg() {
        if (op == Op.CONST) {
            return constant(-value);
        }
        return op == Op.NEG ? a : node(Op.NEG, this, null, null);
    }

    /** {@code 1 − this}. */
    public Expr oneMinus() {
        return constant(1).minus(this);
    }

    /** {@code eˣ}. */
    public static Expr exp(Expr x) {
        return x.op == Op.CONST ? constant(Math.exp(x.value)) : node(Op.EXP, x, null, null);
    }

    /** {@code ln x}; the argument must stay positive on the cell's inputs (a NaN it makes is reported by the solve). */
    public static Expr log(Expr x) {
        return node(Op.LOG, x, null, null);
    }

    /** {@code tanh x}. */
    public static Expr tanh(Expr x) {
        return x.op == Op.CONST ? constant(Math.tanh(x.value)) : node(Op.TANH, x, null, null);
    }

    /** {@code σ(x) = 1 / (1 + e⁻ˣ)}. */
    public static Expr sigmoid(Expr x) {
        return node(Op.SIGMOID, x, null, null);
    }

    /** {@code log(1 + eˣ)}. */
    public static Expr softplus(Expr x) {
        return node(Op.SOFTPLUS, x, null, null);
    }

    /** {@code x·σ(x)}. */
    public static Expr silu(Expr x) {
        return node(Op.SILU, x, null, null);
    }

    /** The larger of {@code x} and {@code y}; its derivative follows the larger one ({@code y} on a tie). */
    public static Expr max(Expr x, Expr y) {
        return node(Op.MAX, x, y, null);
    }

    /** The smaller of {@code x} and {@code y}; its derivative follows the smaller one ({@code y} on a tie). */
    public static Expr min(Expr x, Expr y) {
        return node(Op.MIN, x, y, null);
    }

    /** {@code ifPositive} where {@code condition > 0}, else {@code otherwise}. */
    public static Expr where(Expr condition, Expr ifPositive, Expr otherwise) {
        return node(Op.WHERE, condition, ifPositive, otherwise);
    }

    /** What a derivative is taken with respect to: a state block, an input gate, or a parameter's row. */
    record Var(Op kind, int index, String name) {
        static Var of(Expr leaf) {
            return new Var(leaf.op, leaf.index, leaf.name);
        }

        boolean is(Expr e) {
            return e.op == kind && e.index == index && Objects.equals(e.name, name);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case STATE -> "h" + index;
                case INPUT -> "u" + index;
                case MATVEC -> name + "·h" + index;
                default -> name + "[" + index + "]";
            };
        }
    }

    /** {@code ∂e/∂v}, built symbolically (shared subexpressions differentiated once). */
    static Expr derivative(Expr e, Var v) {
        return new Derivative(v).of(e);
    }

    private static final class Derivative {
        private final Var v;
        private final Map<Expr, Expr> done = new IdentityHashMap<>();

        Derivative(Var v) {
            this.v = v;
        }

        Expr of(Expr e) {
            Expr known = done.get(e);
            if (known == null) {
                known = compute(e);
                done.put(e, known);
            }
            return known;
        }

        private Expr compute(Expr e) {
            switch (e.op) {
                case CONST:
                    return constant(0);
                case STATE:
                case INPUT:
                case PARAM:
                case MATVEC:
                    return constant(v.is(e) ? 1 : 0);
                default:
                    break;
            }
            Expr da = of(e.a);
            Expr db = e.b == null ? null : of(e.b);
            return switch (e.op) {
                case ADD -> da.plus(db);
                case SUB -> da.minus(db);
                case MUL -> da.times(e.b).plus(e.a.times(db));
                case DIV -> da.div(e.b).minus(e.a.times(db).div(e.b.times(e.b)));
                case NEG -> da.neg();
                case EXP -> e.times(da);
                case LOG -> da.div(e.a);
                case TANH -> e.times(e).oneMinus().times(da);
                case SIGMOID -> e.times(e.oneMinus()).times(da);
                case SOFTPLUS -> sigmoid(e.a).times(da);
                case SILU -> {
                    Expr s = sigmoid(e.a);
                    yield s.plus(e.a.times(s).times(s.oneMinus())).times(da);
                }
                case MAX -> da.isConst(0) && db.isConst(0) ? constant(0) : where(e.a.minus(e.b), da, db);
                case MIN -> da.isConst(0) && db.isConst(0) ? constant(0) : where(e.b.minus(e.a), da, db);
                case WHERE -> {
                    Expr dc = of(e.c);
                    yield db.isConst(0) && dc.isConst(0) ? constant(0) : where(e.a, db, dc);
                }
                default -> throw new IllegalStateException(e.op.name());
            };
        }
    }

    /** The expression as written in cell-language notation: {@code h0} state, {@code u1} input, {@code A[0]} parameter row. */
    @Override
    public String toString() {
        return switch (op) {
            case CONST -> value == Math.rint(value) && Math.abs(value) < 1e9 ? Long.toString((long) value) : Double.toString(value);
            case STATE -> "h" + index;
            case INPUT -> "u" + index;
            case PARAM -> name + "[" + index + "]";
            case MATVEC -> name + "·h" + index;
            case ADD -> "(" + a + " + " + b + ")";
            case SUB -> "(" + a + " - " + b + ")";
            case MUL -> a + "*" + b;
            case DIV -> a + "/" + b;
            case NEG -> "-" + a;
            case WHERE -> "where(" + a + " > 0, " + b + ", " + c + ")";
            case MAX, MIN -> op.name().toLowerCase() + "(" + a + ", " + b + ")";
            default -> op.name().toLowerCase() + "(" + a + ")";
        };
    }
}
