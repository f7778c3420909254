package org.pararnn.api.spi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A cell's step in a portable form a backend can interpret on its device: three programs over per-feature registers
 * (the step {@code f}, the Jacobian entries of its structure, the partials the adjoint needs), each a list of
 * instructions that read the row's state, input and parameters and compute element-wise. It travels as words and
 * constants ({@link #encode()} / {@link #decode}: a versioned {@code int[]} and a {@code float[]}), so that a kernel
 * can hold it in constant or shared memory; docs/design.md §4, "Cell tapes", says what each word means.
 *
 * <p>Semantics, per row and for each feature {@code i < D} at once: a register holds one float per feature;
 * {@code STATE k} reads {@code h[k][i]}, {@code INPUT g} reads {@code u[g][i]}, {@code PARAM p r} reads parameter
 * {@code p}'s row {@code r} ({@code [rows][D]}), {@code MATVEC p k} is {@code Σ_e W_p[i][e]·h[k][e]} ({@code W_p} a
 * {@code D × D} parameter), {@code CONST c} is constant {@code c}; the rest apply to registers element-wise
 * ({@code WHERE(x, y, z)} is {@code x > 0 ? y : z}). {@link Program#run} is the reference interpreter every device
 * interpreter is checked against.
 *
 * @param blocks    K: the state is {@code K} blocks of {@code D}
 * @param gates     G: the projected input is {@code G} blocks of {@code D}
 * @param params    the parameters the programs read, in their index order
 * @param step      K outputs: the next state's blocks
 * @param jacobian  K outputs (the step again), then one per entry of {@link #entries} ({@code ∂f_r/∂h_c}), then, for a
 *                  dense cell, {@code K × matvecs} partials by each product {@code W·h_k}
 * @param entries   the (row block, column block) of each Jacobian entry output
 * @param adjoint   per row block r: G partials by the inputs, then one per parameter row (in {@link #params} order, rows
 *                  in order; matrices excluded), then one per product ({@code matvecs})
 * @param matvecs   the products {@code W·h_k} the step contains, as (parameter index, block)
 */
public record CellTape(int blocks, int gates, List<Param> params, Program step, Program jacobian, List<int[]> entries,
                       Program adjoint, List<int[]> matvecs) {
    /** First word of an encoded tape ("PRTP"). */
    public static final int MAGIC = 0x50525450;
    /** Version of the encoding this build writes and reads. */
    public static final int VERSION = 1;
    /** Words per encoded instruction: op, out, a, b, c, index, param, constant. */
    public static final int WORDS_PER_INSTRUCTION = 8;

    public CellTape {
        if (blocks < 1 || gates < 1) {
            throw new IllegalArgumentException("a cell tape needs at least one state block and one gate, got " + blocks
                    + " and " + gates);
        }
        params = List.copyOf(params);
        entries = List.copyOf(entries);
        matvecs = List.copyOf(matvecs);
        for (Program p : List.of(step, jacobian, adjoint)) {
            p.check(blocks, gates, params);
        }
        if (step.outputs().length != blocks) {
            throw new IllegalArgumentException("the step program has " + step.outputs().length + " outputs for " + blocks
                    + " state blocks");
        }
    }

    /** A cell that offers its step as a tape (the cell language's cells). */
    public interface Source {
        CellTape tape();
    }

    /** The tape of {@code cell}, where it offers one. */
    public static java.util.Optional<CellTape> of(org.pararnn.api.Cell cell) {
        return cell instanceof Source s ? java.util.Optional.of(s.tape()) : java.util.Optional.empty();
    }

    /** A parameter: {@code rows × D}, or {@code D × D} when {@code matrix}. */
    public record Param(String name, int rows, boolean matrix) {
    }

    /** The operations, with their fixed codes in the encoding. */
    public enum Op {
        CONST(0, 0), STATE(1, 0), INPUT(2, 0), PARAM(3, 0), MATVEC(4, 0), ADD(5, 2), SUB(6, 2), MUL(7, 2), DIV(8, 2),
        NEG(9, 1), EXP(10, 1), LOG(11, 1), TANH(12, 1), SIGMOID(13, 1), SOFTPLUS(14, 1), SILU(15, 1), MAX(16, 2),
        MIN(17, 2), WHERE(18, 3);

        /** The code in the encoding: never renumbered (a new operation gets a new code). */
        public final int code;
        /** How many registers it reads (0: a leaf). */
        public final int operands;

        Op(int code, int operands) {
            this.code = code;
            this.operands = operands;
        }

        static Op of(int code) {
            for (Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            throw new IllegalArgumentException("cell tape: unknown operation code " + code);
        }
    }

    /**
     * One instruction: {@code out = op(a, b, c)} on registers (-1 where unused), or a leaf read: {@code index} is the
     * state block, the gate or the parameter row; {@code param} the parameter; {@code constant} the constant's slot.
     */
    public record Instruction(Op op, int out, int a, int b, int c, int index, int param, int constant) {
    }

    /** A straight-line program: instructions over {@code registers} registers, its results in {@code outputs}. */
    public record Program(List<Instruction> code, int registers, int[] outputs, float[] constants) {
        public Program {
            code = List.copyOf(code);
            outputs = outputs.clone();
            constants = constants.clone();
        }

        /** Every index within its table, and every register written before it is read: else an error naming the instruction. */
        void check(int blocks, int gates, List<Param> params) {
            boolean[] written = new boolean[registers];
            for (int n = 0; n < code.size(); n++) {
                Instruction in = code.get(n);
                String at = "cell tape: instruction " + n + " (" + in.op() + ")";
                if (in.out() < 0 || in.out() >= registers) {
                    throw new IllegalArgumentException(at + " writes register " + in.out() + " of " + registers);
                }
                int[] reads = {in.a(), in.b(), in.c()};
                for (int r = 0; r < in.op().operands; r++) {
                    if (reads[r] < 0 || reads[r] >= registers || !written[reads[r]]) {
                        throw new IllegalArgumentException(at + " reads register " + reads[r] + ", not written before it");
                    }
                }
                switch (in.op()) {
                    case CONST -> {
                        if (in.constant() < 0 || in.constant() >= constants.length) {
                            throw new IllegalArgumentException(at + " reads constant " + in.constant() + " of " + constants.length);
                        }
                    }
                    case STATE -> within(at + " reads state block", in.index(), blocks);
                    case INPUT -> within(at + " reads gate", in.index(), gates);
                    case PARAM, MATVEC -> {
                        within(at + " reads parameter", in.param(), params.size());
                        Param p = params.get(in.param());
                        if (in.op() == Op.PARAM && (p.matrix() || in.index() < 0 || in.index() >= p.rows())) {
                            throw new IllegalArgumentException(at + " reads row " + in.index() + " of " + p);
                        }
                        if (in.op() == Op.MATVEC && (!p.matrix() || in.index() < 0 || in.index() >= blocks)) {
                            throw new IllegalArgumentException(at + " multiplies block " + in.index() + " by " + p);
                        }
                    }
                    default -> {
                    }
                }
                written[in.out()] = true;
            }
            for (int o : outputs) {
                if (o < 0 || o >= registers || !written[o]) {
                    throw new IllegalArgumentException("cell tape: output register " + o + " is never written");
                }
            }
        }

        private static void within(String what, int i, int n) {
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(what + " " + i + " of " + n);
            }
        }

        /**
         * The reference interpreter: runs the program for one row, {@code h [K][D]} at {@code hOff}, {@code u [G][D]} at
         * {@code uOff}, the parameters' data in {@link CellTape#params} order, into {@code regs [registers][D]}. Float
         * arithmetic; the transcendental functions in double rounded to float, as the cell language's own tapes.
         */
        public void run(float[] h, int hOff, float[] u, int uOff, float[][] params, float[][] regs, int d) {
            for (Instruction in : code) {
                float[] o = regs[in.out()];
                float[] x = in.a() < 0 ? null : regs[in.a()];
                float[] y = in.b() < 0 ? null : regs[in.b()];
                float[] z = in.c() < 0 ? null : regs[in.c()];
                switch (in.op()) {
                    case CONST -> Arrays.fill(o, 0, d, constants[in.constant()]);
                    case STATE -> System.arraycopy(h, hOff + in.index() * d, o, 0, d);
                    case INPUT -> System.arraycopy(u, uOff + in.index() * d, o, 0, d);
                    case PARAM -> System.arraycopy(params[in.param()], in.index() * d, o, 0, d);
                    case MATVEC -> {
                        float[] w = params[in.param()];
                        int hb = hOff + in.index() * d;
                        for (int i = 0; i < d; i++) {
                            float acc = 0f;
                            for (int e = 0; e < d; e++) {
                                acc += w[i * d + e] * h[hb + e];
                            }
                            o[i] = acc;
                        }
                    }
                    default -> {
                        for (int i = 0; i < d; i++) {
                            o[i] = apply(in.op(), x[i], y == null ? 0f : y[i], z == null ? 0f : z[i]);
                        }
                    }
                }
            }
        }

        /**
         * The instructions as a device reads them: {@link #WORDS_PER_INSTRUCTION} words each (op code, out, a, b, c,
         * index, param, constant slot of this program's {@link #constants}), at least one word.
         */
        public int[] words() {
            int[] w = new int[Math.max(1, code.size() * WORDS_PER_INSTRUCTION)];
            for (int i = 0; i < code.size(); i++) {
                Instruction in = code.get(i);
                int at = i * WORDS_PER_INSTRUCTION;
                w[at] = in.op().code;
                w[at + 1] = in.out();
                w[at + 2] = in.a();
                w[at + 3] = in.b();
                w[at + 4] = in.c();
                w[at + 5] = in.index();
                w[at + 6] = in.param();
                w[at + 7] = in.constant();
            }
            return w;
        }

        /** One element of an element-wise operation. */
        static float apply(Op op, float x, float y, float z) {
            return switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
                case NEG -> -x;
                case EXP -> (float) Math.exp(x);
                case LOG -> (float) Math.log(x);
                case TANH -> (float) Math.tanh(x);
                case SIGMOID -> 1f / (1f + (float) Math.exp(-x));
                case SOFTPLUS -> x > 20f ? x : (float) Math.log1p(Math.exp(x));
                case SILU -> x / (1f + (float) Math.exp(-x));
                case MAX -> Math.max(x, y);
                case MIN -> Math.min(x, y);
                case WHERE -> x > 0f ? y : z;
                default -> throw new IllegalStateException(op + " is not element-wise");
            };
        }

        void encode(List<Integer> words, List<Float> floats) {
            words.add(registers);
            words.add(code.size());
            words.add(outputs.length);
            words.add(constants.length);
            int base = floats.size();
            for (Instruction in : code) {
                words.addAll(List.of(in.op().code, in.out(), in.a(), in.b(), in.c(), in.index(), in.param(),
                        in.constant() < 0 ? -1 : base + in.constant()));
            }
            for (int o : outputs) {
                words.add(o);
            }
            for (float c : constants) {
                floats.add(c);
            }
        }

        static Program decode(Reader r, float[] floats) {
            int registers = r.next("registers");
            int n = r.next("instructions");
            int outs = r.next("outputs");
            int consts = r.next("constants");
            if (registers < 0 || n < 0 || outs < 0 || consts < 0) {
                throw new IllegalArgumentException("cell tape: negative count in a program header");
            }
            List<Instruction> code = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Op op = Op.of(r.next("operation"));
                int out = r.next("out");
                int a = r.next("a");
                int b = r.next("b");
                int c = r.next("c");
                int index = r.next("index");
                int param = r.next("param");
                int constant = r.next("constant");
                if (constant >= 0) {
                    // Encoded as a slot of the whole tape's constants; the program holds its own.
                    constant -= r.constantsSeen;
                    if (constant < 0 || constant >= consts) {
                        throw new IllegalArgumentException("cell tape: instruction " + i + " reads a constant outside its program's "
                                + consts);
                    }
                }
                code.add(new Instruction(op, out, a, b, c, index, param, constant));
            }
            int[] outputs = new int[outs];
            for (int i = 0; i < outs; i++) {
                outputs[i] = r.next("output");
            }
            if (r.constantsSeen + consts > floats.length) {
                throw new IllegalArgumentException("cell tape: " + consts + " constants declared, " + (floats.length
                        - r.constantsSeen) + " left");
            }
            float[] constants = Arrays.copyOfRange(floats, r.constantsSeen, r.constantsSeen + consts);
            r.constantsSeen += consts;
            return new Program(code, registers, outputs, constants);
        }
    }

    /**
     * The parameters' data in one array, parameter {@code p} from {@code offsets[p]}: how a device receives them
     * (at least one element in each array).
     */
    public record PackedParams(float[] data, int[] offsets) {
    }

    /**
     * {@code params} (the parameters' data in {@link #params} order, for width {@code d}) packed for a device, each
     * checked against its declared size; {@code h} and {@code u} checked to hold {@code rows} rows of states and
     * inputs. What every device interpreter needs before it copies anything.
     */
    public PackedParams pack(List<float[]> params, float[] h, float[] u, int rows, int d) {
        if (params.size() != this.params.size()) {
            throw new IllegalArgumentException("cell tape: " + params.size() + " parameter arrays for " + this.params.size()
                    + " parameters");
        }
        if (h.length < (long) rows * blocks * d || u.length < (long) rows * gates * d) {
            throw new IllegalArgumentException("cell tape: states [" + h.length + "] or inputs [" + u.length + "] shorter than "
                    + rows + " rows of " + blocks * d + " and " + gates * d);
        }
        int[] offsets = new int[Math.max(1, params.size())];
        int total = 0;
        for (int p = 0; p < params.size(); p++) {
            Param declared = this.params.get(p);
            int size = (declared.matrix() ? d : declared.rows()) * d;
            if (params.get(p).length != size) {
                throw new IllegalArgumentException("cell tape: parameter " + declared.name() + " has " + params.get(p).length
                        + " values; the tape reads " + size);
            }
            offsets[p] = total;
            total += size;
        }
        float[] data = new float[Math.max(1, total)];
        for (int p = 0; p < params.size(); p++) {
            System.arraycopy(params.get(p), 0, data, offsets[p], params.get(p).length);
        }
        return new PackedParams(data, offsets);
    }

    /** Words and constants: what a device holds. */
    public record Encoded(int[] words, float[] constants) {
    }

    /** The portable form: {@code MAGIC, VERSION, K, G}, the parameter table, the three programs, the layouts. */
    public Encoded encode() {
        List<Integer> w = new ArrayList<>();
        List<Float> f = new ArrayList<>();
        w.addAll(List.of(MAGIC, VERSION, blocks, gates, params.size()));
        for (Param p : params) {
            w.add(p.rows());
            w.add(p.matrix() ? 1 : 0);
        }
        step.encode(w, f);
        jacobian.encode(w, f);
        adjoint.encode(w, f);
        w.add(entries.size());
        for (int[] e : entries) {
            w.add(e[0]);
            w.add(e[1]);
        }
        w.add(matvecs.size());
        for (int[] m : matvecs) {
            w.add(m[0]);
            w.add(m[1]);
        }
        int[] words = new int[w.size()];
        for (int i = 0; i < words.length; i++) {
            words[i] = w.get(i);
        }
        float[] constants = new float[f.size()];
        for (int i = 0; i < constants.length; i++) {
            constants[i] = f.get(i);
        }
        return new Encoded(words, constants);
    }

    /**
     * Reads {@link #encode()}'s form back, checking it all (magic, version, every index); {@code names} are the
     * parameters' names (not encoded: a device needs only their order). Throws {@link IllegalArgumentException}
     * naming what is wrong.
     */
    public static CellTape decode(Encoded e, List<String> names) {
        Reader r = new Reader(e.words());
        if (r.next("magic") != MAGIC) {
            throw new IllegalArgumentException("not a cell tape (its first word is not \"PRTP\")");
        }
        int version = r.next("version");
        if (version != VERSION) {
            throw new IllegalArgumentException("cell tape version " + version + "; this build reads version " + VERSION);
        }
        int blocks = r.next("blocks");
        int gates = r.next("gates");
        int n = r.next("parameters");
        if (n != names.size()) {
            throw new IllegalArgumentException("cell tape: " + n + " parameters encoded, " + names.size() + " names given");
        }
        List<Param> params = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            params.add(new Param(names.get(i), r.next("rows"), r.next("matrix") != 0));
        }
        Program step = Program.decode(r, e.constants());
        Program jacobian = Program.decode(r, e.constants());
        Program adjoint = Program.decode(r, e.constants());
        List<int[]> entries = pairs(r, "entries");
        List<int[]> matvecs = pairs(r, "products");
        if (r.at != e.words().length) {
            throw new IllegalArgumentException("cell tape: " + (e.words().length - r.at) + " words after its end");
        }
        if (r.constantsSeen != e.constants().length) {
            throw new IllegalArgumentException("cell tape: " + (e.constants().length - r.constantsSeen) + " constants unused");
        }
        return new CellTape(blocks, gates, params, step, jacobian, entries, adjoint, matvecs);
    }

    private static List<int[]> pairs(Reader r, String what) {
        int n = r.next(what);
        if (n < 0) {
            throw new IllegalArgumentException("cell tape: negative count of " + what);
        }
        List<int[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new int[] {r.next(what), r.next(what)});
        }
        return out;
    }

    /** Reads words in order; running past the end is an error naming what was being read. */
    private static final class Reader {
        private final int[] words;
        private int at;
        private int constantsSeen;

        Reader(int[] words) {
            this.words = words;
        }

        int next(String what) {
            if (at >= words.length) {
                throw new IllegalArgumentException("cell tape: ends while reading " + what + " (word " + at + ")");
            }
            return words[at++];
        }
    }
}
