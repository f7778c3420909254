package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pararnn.conformance.BackendConformanceKit.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.LayerSolve;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.ops.DeviceArray;
import org.pararnn.api.ops.Matrix;
import org.pararnn.api.ops.Ops;
import org.pararnn.api.spi.Backend;
import org.pararnn.cells.ParaGRU;
import org.pararnn.conformance.f64.F64Sequence;

/**
 * The cells as a model's layer ({@link LayerSolve}) over the backend's own arrays, against float64: input
 * and gradient inside wider arrays, an initial state, the final state, every parameter's gradient. Where the
 * backend has a {@link org.pararnn.api.spi.ResidentSolver} for a cell the solve must stay on the device
 * (and says so); elsewhere it copies through Java arrays, which must be just as right.
 */
abstract class LayerSolveChecks {
    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    static List<CellCase> cases() {
        return CellCase.all().stream().filter(c -> c.steps() <= 97).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aLayerOnTheBackendsArraysMatchesFloat64(CellCase c, TestReporter reporter) {
        Cell cell = c.cell();
        Ops ops = backend().ops();
        int rows = c.batch() * c.steps();
        int n = cell.inputWidth();
        int ow = cell.outputWidth();
        int s = cell.stateWidth();
        float[] x = KitData.gaussian(rows * n, 1, c.steps() + 3L);
        float[] h0 = KitData.gaussian(c.batch() * s, 0.3, 4);
        float[] gy = KitData.gaussian(rows * ow, 1, 5);
        F64Sequence ref = F64Sequence.run(c.reference(), x, c.batch(), c.steps(), h0, gy);
        Gradients hostGrads = Gradients.of(cell);
        LayerSolve layer = RnnSolver.on(backend()).layer(cell, hostGrads);
        boolean expectResident = !ops.takesHostArrays() && cell.projectsOnOps() && backend().resident(cell).isPresent();
        assertEquals(expectResident, layer.resident(), layer.placement());
        Ops home = layer.parameterOps();
        org.pararnn.api.CellArrays params = placed(cell, home);
        // x and the gradients inside wider arrays: the layer takes views.
        int pad = 3;
        DeviceArray xa = ops.allocate("x", (long) rows * (n + pad) + 1);
        Matrix xm = new Matrix(xa, 1, rows, n, n + pad);
        for (int r = 0; r < rows; r++) {
            ops.upload(x, r * n, xa, 1 + (long) r * (n + pad), n);
        }
        float[] fin = new float[c.batch() * s];
        try {
            Matrix y = layer.forward(params, xm, c.batch(), c.steps(), h0, fin);
            String what = c + " " + layer.placement() + " [" + layer.lastReport() + "]";
            double tol = Tolerances.cell(c.steps());
            double worst = KitData.relError(rowsOf(ops, y), ref.output);
            within(tol, worst, what + " y");
            double[] refFin = new double[fin.length];
            for (int b = 0; b < c.batch(); b++) {
                System.arraycopy(ref.states, ((b * c.steps()) + c.steps() - 1) * s, refFin, b * s, s);
            }
            double e = KitData.relError(fin, refFin);
            within(tol, e, what + " final state");
            worst = Math.max(worst, e);
            DeviceArray ga = ops.allocate("gy", (long) rows * ow);
            ops.upload(gy, 0, ga, 0, gy.length);
            DeviceArray gx = ops.allocate("gx", (long) rows * (n + pad) + 2);
            Matrix gxm = new Matrix(gx, 2, rows, n, n + pad);
            layer.backward(params, Matrix.of(ga, rows, ow), gxm);
            e = KitData.relError(rowsOf(ops, gxm), ref.gradX);
            within(tol, e, what + " grad x");
            worst = Math.max(worst, e);
            for (Tensor t : cell.parameters()) {
                float[] g = layer.resident() ? download(home, params.grad(t.name())) : hostGrads.data(t.name());
                e = KitData.relError(g, ref.grads.get(t.name()));
                within(tol, e, what + " grad " + t.name());
                worst = Math.max(worst, e);
            }
            publish(reporter, "error.layer", worst);
        } finally {
            layer.close();
        }
    }

    /** A NaN in the input is not passed on as a result: the solve fails, saying what it met and where. */
    @Test
    void aNonFiniteInputFailsTheLayersSolveNamingIt() {
        ParaGRU gru = ParaGRU.create(6, 10, 2, 7);
        Ops ops = backend().ops();
        int batch = 3;
        int steps = 11;
        int rows = batch * steps;
        LayerSolve layer = RnnSolver.on(backend()).layer(gru, Gradients.of(gru));
        org.pararnn.api.CellArrays params = placed(gru, layer.parameterOps());
        float[] x = KitData.gaussian(rows * 6, 1, 8);
        x[(1 * steps + 4) * 6 + 2] = Float.NaN; // b = 1, t = 4
        DeviceArray xa = ops.allocate("x", x.length);
        ops.upload(x, 0, xa, 0, x.length);
        RuntimeException e = assertThrows(RuntimeException.class, () -> layer.forward(params,
                Matrix.of(xa, rows, 6), batch, steps, null, null));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("b=1") && e.getMessage().contains("t=4"), e.getMessage());
        layer.close();
    }

    /** The cell's parameters copied onto {@code home}, with zeroed gradients. */
    private org.pararnn.api.CellArrays placed(Cell cell, Ops home) {
        java.util.Map<String, DeviceArray> values = new java.util.HashMap<>();
        java.util.Map<String, DeviceArray> grads = new java.util.HashMap<>();
        for (Tensor t : cell.parameters()) {
            DeviceArray v = home.allocate(t.name(), t.size());
            home.upload(t.data(), 0, v, 0, t.size());
            values.put(t.name(), v);
            grads.put(t.name(), home.allocate(t.name() + ".grad", t.size()));
        }
        return new org.pararnn.api.CellArrays(values, grads);
    }

    private float[] download(Ops o, DeviceArray a) {
        float[] h = new float[Math.toIntExact(a.length())];
        o.download(a, 0, h, 0, h.length);
        return h;
    }

    private float[] rowsOf(Ops ops, Matrix m) {
        float[] out = new float[m.rows() * m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            ops.download(m.array(), m.offset() + (long) r * m.ld(), out, r * m.cols(), m.cols());
        }
        return out;
    }
}
