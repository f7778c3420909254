package org.pararnn.cells.lang;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.pararnn.api.JacobianStructure;

/**
 * A recurrent cell written as expressions (docs/design.md §2): its state is {@code K} blocks of {@code D}
 * features, its projected input {@code G} gates of {@code D} features (the reference's multi-head projection
 * makes them from {@code x}), and each block's next value is one {@link Expr} per feature over the previous
 * blocks, the gates and per-feature parameters ({@code [rows][D]}). Everything a solver needs is derived:
 * {@code ∂f/∂h}, {@code ∂f/∂u}, {@code ∂f/∂θ}, and the Jacobian's structure — diagonal when no block reads
 * another, else {@code K×K} blocks per feature. {@link #cell} makes an ordinary {@link org.pararnn.api.Cell}
 * of given widths.
 *
 * <pre>{@code
 * CellSpec mingru = CellSpec.builder("example.mingru", 2, 1)
 *         .next(0, sigmoid(input(0)).times(input(1)).plus(sigmoid(input(0)).oneMinus().times(state(0))))
 *         .build();
 * Cell cell = mingru.cell(16, 32, 2, 7L);
 * }</pre>
 * A spec that reads an undefined parameter, a gate or block it does not have, or divides by a constant zero
 * is refused by {@link Builder#build()}, naming the expression.
 */
public final class CellSpec {
    final String type;
    final int gates;
    final int blocks;
    final List<Expr> next;
    /** Parameter name → rows, in declaration order. */
    final Map<String, Integer> params;
    /** Parameter name → initial value of every element (the spread for random ones is set by the cell). */
    final Map<String, Double> init;
    /** Square parameter name → initial value of every element (NaN: drawn), in declaration order. */
    final Map<String, Double> matrices;
    /** The distinct (matrix, block) products the equations use, in order of first use. */
    final List<Expr.Var> matvecs;
    final int outputBlock;
    final JacobianStructure structure;

    private CellSpec(Builder b, JacobianStructure structure, List<Expr.Var> matvecs) {
        this.type = b.type;
        this.gates = b.gates;
        this.blocks = b.blocks;
        this.next = List.of(b.next);
        this.params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        this.init = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.init));
        this.matrices = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.matrices));
        this.matvecs = List.copyOf(matvecs);
        this.outputBlock = b.outputBlock;
        this.structure = structure;
    }

    public static Builder builder(String type, int gates, int stateBlocks) {
        return new Builder(type, gates, stateBlocks);
    }

    public String type() {
        return type;
    }

    /** Block {@code block}'s next value. */
    public Expr next(int block) {
        return next.get(block);
    }

    /** The block the cell outputs, or −1 for all of the state. */
    public int outputBlock() {
        return outputBlock;
    }

    /** The row parameters' names and rows, in declaration order. */
    public Map<String, Integer> rowParameters() {
        return params;
    }

    /** The square parameters' names, in declaration order. */
    public List<String> matrixNames() {
        return List.copyOf(matrices.keySet());
    }

    /** {@code G}: gates of the projected input. */
    public int gates() {
        return gates;
    }

    /** {@code K}: blocks of the state. */
    public int stateBlocks() {
        return blocks;
    }

    /** Rows of {@code D} values over all declared parameters. */
    public int parameterRows() {
        return params.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The structure inferred from which state blocks each block reads. */
    public JacobianStructure structure() {
        return structure;
    }

    /** A cell of these equations over {@code N = inputs} features and {@code D = width}, projection in {@code heads} heads. */
    public ExpressionCell cell(int inputs, int width, int heads, long seed) {
        return new ExpressionCell(this, inputs, width, heads, seed);
    }

    /** Parameter names as the tapes index them: the row parameters in declaration order, then the matrices. */
    List<String> parameterNames() {
        List<String> names = new ArrayList<>(params.keySet());
        names.addAll(matrices.keySet());
        return names;
    }

    /** How many square {@code [D][D]} parameters the spec declares. */
    public int matrixCount() {
        return matrices.size();
    }

    public static final class Builder {
        private final String type;
        private final int gates;
        private final int blocks;
        private final Expr[] next;
        private final Map<String, Integer> params = new LinkedHashMap<>();
        private final Map<String, Double> init = new LinkedHashMap<>();
        private final Map<String, Double> matrices = new LinkedHashMap<>();
        private final List<Expr.Var> matvecs = new ArrayList<>();
        private int outputBlock = -1;

        private Builder(String type, int gates, int blocks) {
            if (type == null || type.isBlank()) {
                throw new IllegalArgumentException("a cell needs a type name");
            }
            if (gates < 1 || blocks < 1) {
                throw new IllegalArgumentException("cell " + type + ": needs at least one gate and one state block, got " + gates
                        + " and " + blocks);
            }
            this.type = type;
            this.gates = gates;
            this.blocks = blocks;
            this.next = new Expr[blocks];
        }

        /**
         * Declares the per-feature parameter {@code name} of {@code rows} rows ({@code [rows][D]}), drawn like the
         * reference's recurrent weights (Gaussian, std {@code 1/√D}, clipped to ±2 std); not decayed by AdamW.
         */
        public Builder parameter(String name, int rows) {
            return declare(name, rows, Double.NaN);
        }

        /** As {@link #parameter}, every element starting at {@code value}. */
        public Builder parameter(String name, int rows, double value) {
            return declare(name, rows, value);
        }

        /**
         * Declares the square parameter {@code name} ({@code [D][D]}), used through {@link Expr#matvec}; drawn
         * Gaussian with std {@code 1/√D} clipped to ±2 std, not decayed.
         */
        public Builder matrix(String name) {
            taken(name);
            matrices.put(name, Double.NaN);
            return this;
        }

        private void taken(String name) {
            if (name == null || name.equals("B") || name.equals("b") || params.containsKey(name) || matrices.containsKey(name)) {
                throw new IllegalArgumentException("cell " + type + ": parameter name '" + name
                        + "' is taken (B and b are the input projection's)");
            }
        }

        private Builder declare(String name, int rows, double value) {
            taken(name);
            if (rows < 1) {
                throw new IllegalArgumentException("cell " + type + ": parameter " + name + " needs at least one row");
            }
            params.put(name, rows);
            init.put(name, value);
            return this;
        }

        /** Block {@code block}'s next value. */
        public Builder next(int block, Expr value) {
            if (block < 0 || block >= blocks) {
                throw new IllegalArgumentException("cell " + type + ": state block " + block + " does not exist (it has " + blocks + ")");
            }
            next[block] = Objects.requireNonNull(value, "value");
            return this;
        }

        /** The block the cell outputs (all of the state by default). */
        public Builder output(int block) {
            if (block < 0 || block >= blocks) {
                throw new IllegalArgumentException("cell " + type + ": output block " + block + " does not exist (it has " + blocks + ")");
            }
            outputBlock = block;
            return this;
        }

        public CellSpec build() {
            boolean[][] reads = new boolean[blocks][blocks];
            for (int k = 0; k < blocks; k++) {
                if (next[k] == null) {
                    throw new IllegalArgumentException("cell " + type + ": state block " + k + " has no next value");
                }
                check(next[k], k, reads[k], new IdentityHashMap<>());
            }
            boolean coupled = false;
            for (int k = 0; k < blocks; k++) {
                for (int j = 0; j < blocks; j++) {
                    coupled |= j != k && reads[k][j];
                }
            }
            JacobianStructure st = !matvecs.isEmpty() ? JacobianStructure.dense()
                    : coupled ? JacobianStructure.blockDiagonal(blocks) : JacobianStructure.diagonal();
            return new CellSpec(this, st, matvecs);
        }

        private void check(Expr e, int block, boolean[] reads, Map<Expr, Boolean> seen) {
            if (seen.put(e, Boolean.TRUE) != null) {
                return;
            }
            String where = "cell " + type + ", block " + block + ": ";
            switch (e.op) {
                case STATE -> {
                    if (e.index < 0 || e.index >= blocks) {
                        throw new IllegalArgumentException(where + e + " reads state block " + e.index + " but the cell has " + blocks);
                    }
                    reads[e.index] = true;
                }
                case INPUT -> {
                    if (e.index < 0 || e.index >= gates) {
                        throw new IllegalArgumentException(where + e + " reads input gate " + e.index + " but the cell has " + gates);
                    }
                }
                case PARAM -> {
                    Integer rows = params.get(e.name);
                    if (rows == null) {
                        throw new IllegalArgumentException(where + e + " reads parameter '" + e.name + "', which is not declared");
                    }
                    if (e.index < 0 || e.index >= rows) {
                        throw new IllegalArgumentException(where + e + " reads row " + e.index + " of " + e.name + ", which has " + rows);
                    }
                }
                case MATVEC -> {
                    if (!matrices.containsKey(e.name)) {
                        throw new IllegalArgumentException(where + e + " multiplies by '" + e.name + "', which is not a declared matrix");
                    }
                    if (e.index < 0 || e.index >= blocks) {
                        throw new IllegalArgumentException(where + e + " multiplies state block " + e.index + " but the cell has " + blocks);
                    }
                    Expr.Var v = Expr.Var.of(e);
                    if (!matvecs.contains(v)) {
                        matvecs.add(v);
                    }
                }
                case DIV -> {
                    if (e.b.isConst(0)) {
                        throw new IllegalArgumentException(where + e + " divides by the constant 0");
                    }
                }
                default -> {
                }
            }
            for (Expr child : new Expr[] {e.a, e.b, e.c}) {
                if (child != null) {
                    check(child, block, reads, seen);
                }
            }
        }
    }
}
