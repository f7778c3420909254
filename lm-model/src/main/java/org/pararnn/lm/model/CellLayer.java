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
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Ops;
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
    /** {@code [rows][D]}: the cell's input, a copy of the stream, which the forward pass keeps for backward. */
    private float[] cellIn;
    /** The stream's values in a Java array when the ops' arrays are on a device. */
    private float[] scratch;
    private RnnSolver solver;
    private Ops ops;
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

    /** The cell's parameters stay in Java arrays (the solvers read them there), on the host ops beside the backend's. */
    @Override
    public void solver(RnnSolver solver) {
        this.solver = solver;
        this.ops = solver.backend().ops();
        for (Parameter p : params) {
            p.place(solver.backend().hostOps());
        }
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
    public void forward(DeviceArray x, int batch, int steps, LayerState state) {
        int n = batch * steps * cell.inputWidth();
        if (cellIn == null || cellIn.length != n) {
            cellIn = new float[n];
        }
        scratch = HostBridge.scratch(ops, scratch, n);
        System.arraycopy(HostBridge.down(ops, x, scratch, n), 0, cellIn, 0, n);
        fwd = solver.forward(cell, cellIn, batch, steps, state.cellState);
        HostBridge.store(ops, fwd.output(), x, batch * steps * cell.outputWidth());
        if (state.cellState != null) {
            float[] fin = fwd.finalState();
            System.arraycopy(fin, 0, state.cellState, 0, fin.length);
        }
    }

    @Override
    public void backward(DeviceArray dx, int batch, int steps) {
        int n = batch * steps * cell.outputWidth();
        scratch = HostBridge.scratch(ops, scratch, n);
        BackwardPass back = solver.backward(fwd, HostBridge.down(ops, dx, scratch, n), null, cellGrads);
        HostBridge.store(ops, back.gradInput(), dx, batch * steps * cell.inputWidth());
    }
}
