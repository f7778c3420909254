package org.pararnn.cells.lang;

import static org.pararnn.cells.lang.Expr.constant;
import static org.pararnn.cells.lang.Expr.input;
import static org.pararnn.cells.lang.Expr.param;
import static org.pararnn.cells.lang.Expr.sigmoid;
import static org.pararnn.cells.lang.Expr.state;
import static org.pararnn.cells.lang.Expr.tanh;

import org.pararnn.api.Tensor;

/**
 * Cells on which Newton over the sequence struggles, written in the cell language: for comparing solvers
 * (DEER, quasi-DEER, ELK, quasi-ELK), not for training. Both are bounded when stepped sequentially; their
 * linearisations are not.
 */
public final class HardCells {
    private HardCells() {
    }

    /**
     * {@code h' = tanh(W h + u)} with {@code W} drawn as the library draws matrices (std {@code 1/√D}, spectral
     * radius about 1) and multiplied by {@code gain}: above 1, Jacobians {@code diag(1 − h'²) W} amplify and
     * Newton's linear solves overflow over long sequences. Dense structure.
     */
    public static ExpressionCell unstableTanh(int inputs, int width, double gain, long seed) {
        CellSpec spec = CellSpec.builder("hard.tanh-gain", 1, 1).matrix("W")
                .next(0, tanh(Expr.matvec("W", 0).plus(input(0)))).build();
        ExpressionCell cell = spec.cell(inputs, width, 1, seed);
        for (Tensor t : cell.parameters()) {
            if (t.name().equals("W")) {
                float[] w = t.data();
                for (int i = 0; i < w.length; i++) {
                    w[i] *= (float) gain;
                }
            }
        }
        return cell;
    }

    /**
     * A chaotic map per feature: {@code s = σ(a h + u)}, {@code h' = 4 s (1 − s)}: the logistic map at its chaotic
     * end composed with a steep sigmoid, so {@code h'} stays in {@code [0, 1]} while {@code |∂h'/∂h|} reaches
     * {@code a}. Diagonal structure.
     */
    public static ExpressionCell chaoticMap(int inputs, int width, double steepness, long seed) {
        Expr s = sigmoid(param("a", 0).times(state(0)).plus(input(0)));
        CellSpec spec = CellSpec.builder("hard.chaotic", 1, 1).parameter("a", 1, steepness)
                .next(0, constant(4).times(s).times(s.oneMinus())).build();
        return spec.cell(inputs, width, 1, seed);
    }
}
