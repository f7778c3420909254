package org.pararnn.lm.model;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.pararnn.api.BackwardPass;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Gradients;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.Tensor;
import org.pararnn.cells.ParaCell;
import org.pararnn.lm.nn.Parameter;

/**
 * The cell alone as the model's one layer ({@link Architecture#CELL}, the paper's synthetic-task
 * setting): {@code x ← cell(x)}, no residual, no norms (the cell's input and output widths are both
 * the model's {@code D}). Parameters are named {@code cell.A} … .
 */
final class CellLayer implements Layer {
    private final ParaCell cell;
    private final Gradients cellGrads;
    private final List<Parameter> params = new ArrayList<>();
    private final Buffers buffers = new Buffers();
    /** {@code [rows][D]}: the cell's input, a copy of the stream, which the forward pass keeps for backward. */
    private float[] cellIn;
    private RnnSolver solver;
    private ForwardPass fwd;

    CellLayer(ParaCell cell) {
        this.cell = cell;
        this.cellGrads = Gradients.of(cell);
        for (int i = 0; i < cell.parameters().size(); i++) {
            Tensor t = cell.parameters().get(i);
            params.add(new Parameter("cell." + t.name(), t, cellGrads.get(i), t.name().equals("B")));
        }
    }

    @Override
    public List<Parameter> parameters() {
        return params;
    }

    @Override
    public List<ParaCell> cells() {
        return List.of(cell);
    }

    @Override
    public void initialize(SplittableRandom rnd) {
    }

    @Override
    public void solver(RnnSolver solver) {
        this.solver = solver;
    }

    @Override
    public LayerState newState(int batch) {
        return new LayerState(null, new float[batch * cell.stateWidth()]);
    }

    @Override
    public SolveReport lastSolve() {
        return fwd == null ? null : fwd.report();
    }

    @Override
    public void forward(float[] x, int batch, int steps, LayerState state) {
        int rows = batch * steps;
        if (buffers.resize(rows)) {
            cellIn = new float[rows * cell.inputWidth()];
        }
        System.arraycopy(x, 0, cellIn, 0, rows * cell.inputWidth());
        fwd = solver.forward(cell, cellIn, batch, steps, state.cellState);
        System.arraycopy(fwd.output(), 0, x, 0, rows * cell.outputWidth());
        if (state.cellState != null) {
            float[] fin = fwd.finalState();
            System.arraycopy(fin, 0, state.cellState, 0, fin.length);
        }
    }

    @Override
    public void backward(float[] dx, int batch, int steps) {
        BackwardPass back = solver.backward(fwd, dx, null, cellGrads);
        System.arraycopy(back.gradInput(), 0, dx, 0, batch * steps * cell.inputWidth());
    }
}
