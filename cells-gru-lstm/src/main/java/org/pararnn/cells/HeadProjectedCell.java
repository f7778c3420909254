package org.pararnn.cells;

import org.pararnn.api.Cell;
import org.pararnn.api.CellArrays;
import org.pararnn.api.Gradients;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;

/**
 * A cell whose input projection is the reference's multi-head {@link HeadProjection} (parameters {@code B} and
 * {@code b}): the projection and its backward, on Java arrays and on any ops' own arrays, written once for the
 * hand-written cells and those of the cell language.
 */
public abstract class HeadProjectedCell implements Cell {

    /** The projection, whose tensors are among {@link #parameters()} as {@code B} and {@code b}. */
    protected abstract HeadProjection projection();

    @Override
    public void project(Ops ops, float[] x, float[] u, int rows) {
        projection().project(ops, x, u, rows);
    }

    @Override
    public void projectBackward(Ops ops, float[] x, float[] gradU, float[] gradX, Gradients grads, int rows) {
        projection().backward(ops, x, gradU, gradX, grads.data("B"), grads.data("b"), rows);
    }

    @Override
    public boolean projectsOnOps() {
        return true;
    }

    @Override
    public void project(Ops ops, CellArrays params, Matrix x, Matrix u) {
        projection().project(ops, params.value("B"), params.value("b"), x, u);
    }

    @Override
    public void projectBackward(Ops ops, CellArrays params, Matrix x, Matrix gradU, Matrix gradX) {
        projection().backward(ops, params.value("B"), params.grad("B"), params.grad("b"), x, gradU, gradX);
    }
}
