package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pararnn.api.Cell;
import org.pararnn.api.Tensor;
import org.pararnn.cells.Initialization;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.CellSpec;
import org.pararnn.cells.lang.ExpressionCell;

/**
 * The cells a model is built with, by the name {@code --cell} takes: the hand-written reference cells
 * ({@code paragru}, {@code paralstm}) and the cell language's library ({@link CellLibrary}: {@code mingru},
 * {@code minlstm}, {@code tanhrnn}, {@code gru}, {@code rotation}, and any a provider on the class path names); how each is initialised, and which of its parameters are recurrent (clipped after each
 * update): all but the input projection's {@code B} and {@code b}.
 */
public final class CellKinds {
    private CellKinds() {
    }

    /** Every name, hand-written ones first. */
    public static List<String> names() {
        List<String> out = new ArrayList<>(List.of("paragru", "paralstm"));
        for (String n : CellLibrary.all().keySet()) {
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    public static void require(String name) {
        if (!names().contains(name)) {
            throw new IllegalArgumentException("unknown cell '" + name + "'; expected one of " + String.join(", ", names())
                    + " (a cell from your own jar is found when the jar is on the class path: PARARNN_CLASSPATH=path/to/"
                    + "your-cells.jar ./pararnn ..., for eval and generate of its checkpoints too)");
        }
    }

    /** A cell of width {@code d} on inputs of width {@code d}, parameters zero until {@link #initialize}. */
    public static Cell create(String name, int d, int heads) {
        require(name);
        return switch (name) {
            case "paragru" -> new ParaGRU(d, d, heads);
            case "paralstm" -> new ParaLSTM(d, d, heads);
            default -> {
                Map<String, CellSpec> lib = CellLibrary.all();
                yield lib.get(name).cell(d, d, heads, 0);
            }
        };
    }

    /**
     * Draws the cell's weights from {@code seed} (the paper's LM recipe for the reference cells), clips its
     * recurrent parameters to {@code clip}, and for the reference cells spreads the state-keeping gate's bias
     * over {@code retention} (0: none; other cells have no such gate and refuse it).
     */
    public static void initialize(Cell cell, long seed, float clip, float retention) {
        if (cell instanceof ParaCell p) {
            p.initialize(Initialization.PAPER_LM, seed);
            p.clipRecurrent(clip);
            if (retention > 0) {
                p.retentionBias(retention);
            }
            return;
        }
        if (retention > 0) {
            throw new IllegalArgumentException("--retention biases the state-keeping gate of paragru and paralstm; cell "
                    + cell.type() + " has none");
        }
        ((ExpressionCell) cell).initialize(seed);
        for (Tensor t : cell.parameters()) {
            if (recurrent(t.name())) {
                float[] v = t.data();
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(-clip, Math.min(clip, v[i]));
                }
            }
        }
    }

    /** Exactly the parameters {@link #create} allocates for width {@code d}: the projection's and the recurrent ones. */
    static long parameterCount(String name, long d, int heads) {
        require(name);
        long gates;
        long rows;
        switch (name) {
            case "paragru" -> {
                gates = 3;
                rows = 3;
            }
            case "paralstm" -> {
                gates = 3;
                rows = 5;
            }
            default -> {
                CellSpec spec = CellLibrary.all().get(name);
                gates = spec.gates();
                rows = spec.parameterRows();
            }
        }
        long matrices = name.equals("paragru") || name.equals("paralstm") ? 0 : CellLibrary.all().get(name).matrixCount();
        return gates * d * d / heads + gates * d + rows * d + matrices * d * d;
    }

    /** Whether a cell parameter is recurrent (clipped after each update and not decayed): all but the projection's. */
    static boolean recurrent(String localName) {
        return !localName.equals("B") && !localName.equals("b");
    }
}
