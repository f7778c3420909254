package org.pararnn.cells.lang;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Expressions compiled to a flat list of instructions over registers, each register one value per feature:
 * an instruction runs over all {@code D} features of a row at once (a tight loop the JIT vectorises), so the
 * per-instruction dispatch is paid once per row, not once per element. Equal subexpressions become one
 * register (structural sharing), constants are registers filled once, and leaves read the row's state,
 * input and parameters in place.
 */
final class Tape {
    /** One instruction: {@code out = op(a, b, c)} on registers, or a leaf read. */
    private record Ins(Expr.Op op, int out, int a, int b, int c, double value, int index, int param) {
    }

    private final List<Ins> code;
    private final int registers;
    private final int[] outputs;

    private Tape(List<Ins> code, int registers, int[] outputs) {
        this.code = code;
        this.registers = registers;
        this.outputs = outputs;
    }

    /** Compiles {@code roots} (in order: their registers are {@link #output}s); {@code params} names the parameters. */
    static Tape compile(List<Expr> roots, List<String> params) {
        Builder b = new Builder(params);
        int[] outs = new int[roots.size()];
        for (int i = 0; i < outs.length; i++) {
            outs[i] = b.emit(roots.get(i));
        }
        return new Tape(List.copyOf(b.code), b.next, outs);
    }

    int registers() {
        return registers;
    }

    /**
     * This tape in the portable form backends interpret ({@link org.pararnn.api.spi.CellTape.Program}): the same
     * instructions, registers and outputs, its constants as floats (as {@link #run} fills them).
     */
    org.pararnn.api.spi.CellTape.Program portable() {
        List<org.pararnn.api.spi.CellTape.Instruction> out = new ArrayList<>(code.size());
        List<Float> constants = new ArrayList<>();
        for (Ins in : code) {
            int constant = -1;
            if (in.op == Expr.Op.CONST) {
                constant = constants.size();
                constants.add((float) in.value);
            }
            out.add(new org.pararnn.api.spi.CellTape.Instruction(org.pararnn.api.spi.CellTape.Op.valueOf(in.op.name()), in.out,
                    in.a, in.b, in.c, in.index, in.param, constant));
        }
        float[] c = new float[constants.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = constants.get(i);
        }
        return new org.pararnn.api.spi.CellTape.Program(out, registers, outputs, c);
    }

    /** The register holding root {@code i}. */
    int output(int i) {
        return outputs[i];
    }

    /**
     * Runs the tape for one row: {@code h [K][D]} at {@code hOff}, {@code u [G][D]} at {@code uOff}, the
     * parameters' data (by {@code params}' order), into {@code regs [registers][D]}.
     */
    void run(float[] h, int hOff, float[] u, int uOff, float[][] params, float[][] regs, int d) {
        for (Ins in : code) {
            float[] o = regs[in.out];
            switch (in.op) {
                case CONST -> java.util.Arrays.fill(o, 0, d, (float) in.value);
                case STATE -> System.arraycopy(h, hOff + in.index * d, o, 0, d);
                case INPUT -> System.arraycopy(u, uOff + in.index * d, o, 0, d);
                case PARAM -> System.arraycopy(params[in.param], in.index * d, o, 0, d);
                case MATVEC -> {
                    float[] w = params[in.param];
                    int hb = hOff + in.index * d;
                    for (int i = 0; i < d; i++) {
                        float acc = 0f;
                        int row = i * d;
                        for (int e = 0; e < d; e++) {
                            acc += w[row + e] * h[hb + e];
                        }
                        o[i] = acc;
                    }
                }
                default -> apply(in, regs, o, d);
            }
        }
    }

    private static void apply(Ins in, float[][] regs, float[] o, int d) {
        float[] x = regs[in.a];
        float[] y = in.b < 0 ? null : regs[in.b];
        switch (in.op) {
            case ADD -> {
                for (int i = 0; i < d; i++) {
                    o[i] = x[i] + y[i];
                }
            }
            case SUB -> {
                for (int i = 0; i < d; i++) {
                    o[i] = x[i] - y[i];
                }
            }
            case MUL -> {
                for (int i = 0; i < d; i++) {
                    o[i] = x[i] * y[i];
                }
            }
            case DIV -> {
                for (int i = 0; i < d; i++) {
                    o[i] = x[i] / y[i];
                }
            }
            case NEG -> {
                for (int i = 0; i < d; i++) {
                    o[i] = -x[i];
                }
            }
            case EXP -> {
                for (int i = 0; i < d; i++) {
                    o[i] = (float) Math.exp(x[i]);
                }
            }
            case LOG -> {
                for (int i = 0; i < d; i++) {
                    o[i] = (float) Math.log(x[i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < d; i++) {
                    o[i] = (float) Math.tanh(x[i]);
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < d; i++) {
                    o[i] = 1f / (1f + (float) Math.exp(-x[i]));
                }
            }
            case SOFTPLUS -> {
                for (int i = 0; i < d; i++) {
                    float v = x[i];
                    o[i] = v > 20f ? v : (float) Math.log1p(Math.exp(v));
                }
            }
            case SILU -> {
                for (int i = 0; i < d; i++) {
                    o[i] = x[i] / (1f + (float) Math.exp(-x[i]));
                }
            }
            case MAX -> {
                for (int i = 0; i < d; i++) {
                    o[i] = Math.max(x[i], y[i]);
                }
            }
            case MIN -> {
                for (int i = 0; i < d; i++) {
                    o[i] = Math.min(x[i], y[i]);
                }
            }
            case WHERE -> {
                float[] z = regs[in.c];
                for (int i = 0; i < d; i++) {
                    o[i] = x[i] > 0f ? y[i] : z[i];
                }
            }
            default -> throw new IllegalStateException(in.op.name());
        }
    }

    /** Emits each distinct subexpression once, children first. */
    private static final class Builder {
        private record Key(Expr.Op op, double value, int index, String name, int a, int b, int c) {
        }

        private final List<String> params;
        private final List<Ins> code = new ArrayList<>();
        private final Map<Key, Integer> seen = new HashMap<>();
        private final Map<Expr, Integer> byIdentity = new java.util.IdentityHashMap<>();
        private int next;

        Builder(List<String> params) {
            this.params = params;
        }

        int emit(Expr e) {
            Integer known = byIdentity.get(e);
            if (known != null) {
                return known;
            }
            int a = e.a == null ? -1 : emit(e.a);
            int b = e.b == null ? -1 : emit(e.b);
            int c = e.c == null ? -1 : emit(e.c);
            Key key = new Key(e.op, e.value, e.index, e.name, a, b, c);
            Integer reg = seen.get(key);
            if (reg == null) {
                reg = next++;
                int param = e.op == Expr.Op.PARAM || e.op == Expr.Op.MATVEC ? params.indexOf(Objects.requireNonNull(e.name)) : -1;
                code.add(new Ins(e.op, reg, a, b, c, e.value, e.index, param));
                seen.put(key, reg);
            }
            byIdentity.put(e, reg);
            return reg;
        }
    }
}
