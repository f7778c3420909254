package org.pararnn.cells.lang;

import static org.pararnn.cells.lang.Expr.input;
import static org.pararnn.cells.lang.Expr.param;
import static org.pararnn.cells.lang.Expr.sigmoid;
import static org.pararnn.cells.lang.Expr.state;
import static org.pararnn.cells.lang.Expr.tanh;

import java.util.Map;
import java.util.TreeMap;

/**
 * Cells written in the cell language ({@link CellSpec}), by name: the reference ParaGRU and ParaLSTM
 * re-expressed (their structures inferred as diagonal and 2×2 blocks), minGRU, minLSTM, a diagonal tanh RNN, a
 * cell whose features couple in pairs (2×2 blocks), and a classic GRU with full recurrent matrices (dense).
 * Each is a handful of lines; everything else is derived.
 */
public final class CellLibrary {
    private CellLibrary() {
    }

    /** ParaGRU: {@code z = σ(A_z h + u_z), r = σ(A_r h + u_r), n = tanh(A_h h r + u_h), h' = z n + (1 − z) h}. */
    public static CellSpec paraGru() {
        Expr h = state(0);
        Expr z = sigmoid(param("A", 0).times(h).plus(input(0)));
        Expr r = sigmoid(param("A", 1).times(h).plus(input(1)));
        Expr n = tanh(param("A", 2).times(h).times(r).plus(input(2)));
        return CellSpec.builder("lang.paragru", 3, 1).parameter("A", 3).next(0, z.times(n).plus(z.oneMinus().times(h))).build();
    }

    /**
     * ParaLSTM (CIFG with peepholes), state {@code [c; h]}: {@code f = σ(A_f h + u_f + C_f c)},
     * {@code c̃ = tanh(A_c h + u_c)}, {@code c' = f c + (1 − f) c̃}, {@code o = σ(A_o h + u_o + C_o c')},
     * {@code h' = o tanh(c')}; outputs {@code h}.
     */
    public static CellSpec paraLstm() {
        Expr c = state(0);
        Expr h = state(1);
        Expr f = sigmoid(param("A", 0).times(h).plus(input(0)).plus(param("C", 0).times(c)));
        Expr ct = tanh(param("A", 2).times(h).plus(input(2)));
        Expr cn = f.times(c).plus(f.oneMinus().times(ct));
        Expr o = sigmoid(param("A", 1).times(h).plus(input(1)).plus(param("C", 1).times(cn)));
        return CellSpec.builder("lang.paralstm", 3, 2).parameter("A", 3).parameter("C", 2)
                .next(0, cn).next(1, o.times(tanh(cn))).output(1).build();
    }

    /** minGRU (Feng et al. 2024): {@code z = σ(u_z), h' = (1 − z) h + z u_h}: linear in {@code h}. */
    public static CellSpec minGru() {
        Expr z = sigmoid(input(0));
        return CellSpec.builder("lang.mingru", 2, 1).next(0, z.oneMinus().times(state(0)).plus(z.times(input(1)))).build();
    }

    /**
     * minLSTM (Feng et al. 2024): {@code f = σ(u_f), i = σ(u_i)}, normalised {@code f' = f/(f + i), i' = i/(f + i)},
     * {@code h' = f' h + i' u_h}: linear in {@code h}.
     */
    public static CellSpec minLstm() {
        Expr f = sigmoid(input(0));
        Expr i = sigmoid(input(1));
        Expr sum = f.plus(i);
        return CellSpec.builder("lang.minlstm", 3, 1)
                .next(0, f.div(sum).times(state(0)).plus(i.div(sum).times(input(2)))).build();
    }

    /** A diagonal tanh RNN: {@code h' = tanh(a ⊙ h + u)}. */
    public static CellSpec tanhRnn() {
        return CellSpec.builder("lang.tanhrnn", 1, 1).parameter("a", 1)
                .next(0, tanh(param("a", 0).times(state(0)).plus(input(0)))).build();
    }

    /**
     * Features coupled in pairs: each feature's state is a pair {@code (p, q)} (two blocks) that turns and
     * scales like a complex number {@code (r + i·m)(p + i·q)} before a tanh: {@code p' = tanh(r p − m q + u_p)},
     * {@code q' = tanh(m p + r q + u_q)}; outputs {@code p}. Its Jacobian is inferred as 2×2 blocks.
     */
    public static CellSpec rotation() {
        Expr p = state(0);
        Expr q = state(1);
        Expr a = param("r", 0);
        Expr b = param("m", 0);
        return CellSpec.builder("lang.rotation", 2, 2).parameter("r", 1, 0.5).parameter("m", 1, 0.5)
                .next(0, tanh(a.times(p).minus(b.times(q)).plus(input(0))))
                .next(1, tanh(b.times(p).plus(a.times(q)).plus(input(1))))
                .output(0).build();
    }

    /**
     * A classic GRU with full recurrent matrices (PyTorch's gate order and update convention, no hidden biases):
     * {@code z = σ(W_z h + u_z)}, {@code r = σ(W_r h + u_r)}, {@code n = tanh(r ⊙ (W_n h) + u_n)},
     * {@code h' = (1 − z) ⊙ n + z ⊙ h}. Its Jacobian is inferred dense: for small widths.
     */
    public static CellSpec gru() {
        Expr h = state(0);
        Expr z = sigmoid(Expr.matvec("Wz", 0).plus(input(0)));
        Expr r = sigmoid(Expr.matvec("Wr", 0).plus(input(1)));
        Expr n = tanh(r.times(Expr.matvec("Wn", 0)).plus(input(2)));
        return CellSpec.builder("lang.gru", 3, 1).matrix("Wz").matrix("Wr").matrix("Wn")
                .next(0, z.oneMinus().times(n).plus(z.times(h))).build();
    }

    /**
     * Every cell here by its short name ({@code paragru}, {@code paralstm}, {@code mingru}, {@code minlstm},
     * {@code tanhrnn}, {@code gru}, {@code rotation}), and those of every {@link CellSpecProvider} on the class path; a name given
     * twice is an error naming both sources.
     */
    public static Map<String, CellSpec> all() {
        Map<String, CellSpec> m = new TreeMap<>();
        Map<String, String> source = new TreeMap<>();
        put(m, source, "paragru", paraGru(), "the built-in library");
        put(m, source, "paralstm", paraLstm(), "the built-in library");
        put(m, source, "mingru", minGru(), "the built-in library");
        put(m, source, "minlstm", minLstm(), "the built-in library");
        put(m, source, "tanhrnn", tanhRnn(), "the built-in library");
        put(m, source, "gru", gru(), "the built-in library");
        put(m, source, "rotation", rotation(), "the built-in library");
        for (CellSpecProvider p : java.util.ServiceLoader.load(CellSpecProvider.class)) {
            p.cells().forEach((name, spec) -> put(m, source, name, spec, p.getClass().getName()));
        }
        return m;
    }

    private static void put(Map<String, CellSpec> m, Map<String, String> source, String name, CellSpec spec, String from) {
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]*")) {
            throw new IllegalArgumentException(from + " names a cell '" + name + "': use lower case letters, digits, '.', '_' or '-'");
        }
        if (m.containsKey(name)) {
            throw new IllegalStateException("cell name '" + name + "' is given by both " + source.get(name) + " and " + from);
        }
        m.put(name, spec);
        source.put(name, from);
    }
}
