package org.pararnn.conformance;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.Cell;
import org.pararnn.cells.DenseGRU;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.ExpressionCell;
import org.pararnn.conformance.f64.F64Cell;
import org.pararnn.conformance.f64.F64DenseGRU;
import org.pararnn.conformance.f64.F64Expression;
import org.pararnn.conformance.f64.F64ParaGRU;
import org.pararnn.conformance.f64.F64ParaLSTM;

/** A built-in cell, its independent float64 twin and a shape. Widths are not SIMD multiples. */
public record CellCase(String name, Cell cell, F64Cell reference, int batch, int steps) {

    public static List<CellCase> all() {
        List<CellCase> out = new ArrayList<>();
        long seed = 100;
        for (int steps : new int[] {1, 2, 97, 4096}) {
            for (int batch : new int[] {1, 7}) {
                ParaGRU gru = ParaGRU.create(10, 13, 1, seed++);
                out.add(new CellCase("ParaGRU N=10 D=13 H=1", gru, new F64ParaGRU(gru), batch, steps));
                ParaGRU gru2 = ParaGRU.create(6, 10, 2, seed++);
                out.add(new CellCase("ParaGRU N=6 D=10 H=2", gru2, new F64ParaGRU(gru2), batch, steps));
                ParaLSTM lstm = ParaLSTM.create(10, 13, 1, seed++);
                out.add(new CellCase("ParaLSTM N=10 D=13 H=1", lstm, new F64ParaLSTM(lstm), batch, steps));
                if (steps <= 97) {
                    DenseGRU dense = DenseGRU.create(5, 7, 1.0, seed++);
                    out.add(new CellCase("DenseGRU N=5 D=7", dense, new F64DenseGRU(dense), batch, steps));
                    for (ExpressionCell lang : languageCells(seed++)) {
                        out.add(new CellCase(lang.type() + " N=" + lang.inputWidth() + " S=" + lang.stateWidth(), lang,
                                new F64Expression(lang), batch, steps));
                    }
                }
            }
        }
        ParaGRU longGru = ParaGRU.create(4, 9, 1, seed++);
        out.add(new CellCase("ParaGRU N=4 D=9 H=1", longGru, new F64ParaGRU(longGru), 1, 65_536));
        ParaLSTM longLstm = ParaLSTM.create(4, 9, 1, seed);
        out.add(new CellCase("ParaLSTM N=4 D=9 H=1", longLstm, new F64ParaLSTM(longLstm), 1, 65_536));
        return out;
    }

    /** The cell language's library at small odd widths: its cells go through every check the hand-written ones do. */
    static List<ExpressionCell> languageCells(long seed) {
        return List.of(CellLibrary.paraGru().cell(6, 8, 2, seed), CellLibrary.paraLstm().cell(4, 5, 1, seed + 1),
                CellLibrary.minGru().cell(6, 6, 3, seed + 2), CellLibrary.tanhRnn().cell(5, 7, 1, seed + 3),
                CellLibrary.gru().cell(3, 4, 1, seed + 4), CellLibrary.minLstm().cell(4, 6, 2, seed + 5),
                CellLibrary.rotation().cell(6, 3, 3, seed + 6));
    }

    @Override
    public String toString() {
        return name + " B=" + batch + " T=" + steps;
    }
}
