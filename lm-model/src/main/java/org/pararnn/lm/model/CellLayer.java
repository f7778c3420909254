package org.pararnn.lm.model;

import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.LayerSolve;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.Cell;
import org.pararnn.lm.nn.Parameter;

/**
 * The cell alone as the model's one layer ({@link Architecture#CELL}, the paper's synthetic-task
 * setting): {@code x ← cell(x)}, no residual, no norms (the cell's input and output widths are both
 * the model's {@code D}). Parameters are named {@code cell.A} … .
 */
final class CellLayer implements Layer {
    private final Cell cell;
    private final CellWeights weights;
    /** {@code [rows][D]}: the cell's input, a copy of the stream, which the forward pass keeps for backward. */
    private DeviceArray cellIn;
    private LayerSolve solve;
    private Ops ops;

    CellLayer(Cell cell) {
        this.cell = cell;
        this.weights = new CellWeights("", cell);
    }

    @Override
    public List<Parameter> parameters() {
        return weights.parameters();
    }

    @Override
    public List<Cell> cells() {
        return List.of(cell);
    }

    @Override
    public void initialize(SplittableRandom rnd) {
    }

    @Override
    public void solver(RnnSolver solver) {
        if (cellIn != null) {
            ops.release(cellIn); // on the ops it came from; made again on the new ones at the next forward
            cellIn = null;
        }
        if (solve != null) {
            solve.close();
        }
        this.ops = solver.backend().ops();
        solve = weights.bind(solver);
    }

    @Override
    public void clipRecurrent(float limit) {
        weights.clip(limit);
    }

    @Override
    public String solvePlacement() {
        return solve == null ? null : solve.placement();
    }

    @Override
    public LayerState newState(int batch) {
        return new LayerState(null, new float[batch * cell.stateWidth()]);
    }

    @Override
    public SolveReport lastSolve() {
        return solve == null ? null : solve.lastReport();
    }

    @Override
    public void forward(DeviceArray x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        int n = rows * cell.inputWidth();
        if (cellIn == null || cellIn.length() != n) {
            if (cellIn != null) {
                ops.release(cellIn);
            }
            cellIn = ops.allocate("cellIn", n);
        }
        ops.copy(Matrix.of(x, rows, cell.inputWidth()), Matrix.of(cellIn, rows, cell.inputWidth()));
        Matrix y = solve.forward(weights.arrays(), Matrix.of(cellIn, rows, cell.inputWidth()), batch, steps, state.cellState,
                state.cellState);
        ops.copy(y, Matrix.of(x, rows, cell.outputWidth()));
    }

    @Override
    public void backward(DeviceArray dx, int batch, int steps) {
        int rows = batch * steps;
        // In place: the solve reads all of ∂L/∂y before it writes ∂L/∂x.
        solve.backward(weights.arrays(), Matrix.of(dx, rows, cell.outputWidth()), Matrix.of(dx, rows, cell.inputWidth()));
    }
}
