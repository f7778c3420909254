package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pararnn.api.CellArrays;
import org.pararnn.api.Gradients;
import org.pararnn.api.LayerSolve;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.Cell;
import org.pararnn.lm.nn.Parameter;

/**
 * A layer's cell as the model's parameters ({@code <prefix>cell.A}, …): where they live follows where the
 * cell is solved ({@link LayerSolve#parameterOps()}: the device's arrays when solves stay there, the cell's
 * own Java arrays otherwise), and the recurrent weights' clip runs there too.
 */
final class CellWeights {
    private final Cell cell;
    private final Gradients grads;
    private final List<Parameter> params = new ArrayList<>();
    /** The parameters by the cell's own names ({@code A}, {@code B}, {@code b}, {@code C}). */
    private final Map<String, Parameter> byLocalName = new HashMap<>();

    CellWeights(String prefix, Cell cell) {
        this.cell = cell;
        this.grads = Gradients.of(cell);
        for (int i = 0; i < cell.parameters().size(); i++) {
            Tensor t = cell.parameters().get(i);
            Parameter p = new Parameter(prefix + "cell." + t.name(), t, grads.get(i), t.name().equals("B"));
            params.add(p);
            byLocalName.put(t.name(), p);
        }
    }

    List<Parameter> parameters() {
        return params;
    }

    /** The cell bound to {@code solver} as a layer, its parameters placed where its solves read them. */
    LayerSolve bind(RnnSolver solver) {
        LayerSolve solve = solver.layer(cell, grads);
        for (Parameter p : params) {
            p.place(solve.parameterOps());
        }
        return solve;
    }

    /** The parameters' arrays where they are placed now, by the cell's names. */
    CellArrays arrays() {
        Map<String, DeviceArray> values = new HashMap<>();
        Map<String, DeviceArray> gradients = new HashMap<>();
        byLocalName.forEach((name, p) -> {
            values.put(name, p.valueArray());
            gradients.put(name, p.gradArray());
        });
        return new CellArrays(values, gradients);
    }

    /** Clamps the cell's recurrent parameters (all but the projection's; ParaGRU's A, ParaLSTM's A and C) where they live. */
    void clip(float limit) {
        byLocalName.forEach((name, p) -> {
            if (CellKinds.recurrent(name)) {
                p.ops().clamp(p.valueArray(), limit);
            }
        });
    }
}
