package org.pararnn.lm.cli;

import static org.pararnn.cells.lang.Expr.input;
import static org.pararnn.cells.lang.Expr.param;
import static org.pararnn.cells.lang.Expr.sigmoid;
import static org.pararnn.cells.lang.Expr.state;
import static org.pararnn.cells.lang.Expr.tanh;

import java.util.Map;
import org.pararnn.cells.lang.CellSpec;
import org.pararnn.cells.lang.CellSpecProvider;

/** A user's cell, found through META-INF/services as a user's jar would be: a leaky tanh unit with a learned leak. */
public final class TestCells implements CellSpecProvider {
    @Override
    public Map<String, CellSpec> cells() {
        // h' = g ⊙ h + (1 − g) ⊙ tanh(u_0) with g = σ(k + u_1), k a learned per-feature offset.
        var g = sigmoid(param("k", 0).plus(input(1)));
        return Map.of("leaky", CellSpec.builder("test.leaky", 2, 1).parameter("k", 1, 2.0)
                .next(0, g.times(state(0)).plus(g.oneMinus().times(tanh(input(0))))).build());
    }
}
