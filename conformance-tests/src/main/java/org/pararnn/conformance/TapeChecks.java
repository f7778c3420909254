package org.pararnn.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.CellTape;
import org.pararnn.api.spi.TapeRunner;
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.ExpressionCell;
import org.pararnn.cells.lang.HardCells;

/**
 * {@link Backend#tapeRunner()}, where a backend offers it: every library cell's tape (step, Jacobian entries, adjoint
 * partials; and two hard cells, one dense) run on the device for several rows agrees with the reference interpreter
 * ({@link CellTape.Program#run}) within {@link #TOLERANCE} relative to each value's size. The device's own
 * transcendental functions and fused products against Java's double-rounded ones differ by a few ulp; an interpreter
 * that got one operation wrong is off by far more.
 */
abstract class TapeChecks {
    /** |device − reference| / max(1, |reference|). */
    static final double TOLERANCE = 2e-6;
    private static final int D = 8;
    private static final int ROWS = 5;

    /** The backend under test (the kit's, started once per class). */
    abstract Backend backend();

    @Test
    void everyLibraryCellsTapeRunsOnTheDeviceAsTheReferenceInterpreter(TestReporter reporter) {
        Optional<TapeRunner> runner = backend().tapeRunner();
        assumeTrue(runner.isPresent(), "backend " + backend().name() + " runs no cell tapes (Backend.tapeRunner is empty)");
        Map<String, ExpressionCell> cells = new LinkedHashMap<>();
        CellLibrary.all().forEach((name, spec) -> cells.put(name, spec.cell(D, D, 1, 3)));
        cells.put("hard.tanh-gain3", HardCells.unstableTanh(D, D, 3, 3));
        cells.put("hard.chaotic", HardCells.chaoticMap(D, D, 4, 3));
        SplittableRandom r = new SplittableRandom(9);
        double worst = 0;
        for (Map.Entry<String, ExpressionCell> e : cells.entrySet()) {
            ExpressionCell cell = e.getValue();
            CellTape tape = CellTape.of(cell).orElseThrow();
            List<float[]> params = new ArrayList<>();
            for (CellTape.Param p : tape.params()) {
                params.add(cell.parameters().stream().filter(t -> t.name().equals(p.name())).findFirst().map(Tensor::data)
                        .orElseThrow(() -> new AssertionError(e.getKey() + " has no parameter " + p.name())));
            }
            float[][] arrays = params.toArray(new float[0][]);
            int k = tape.blocks();
            int g = tape.gates();
            float[] h = uniform(r, ROWS * k * D);
            float[] u = uniform(r, ROWS * g * D);
            CellTape.Program[] programs = {tape.step(), tape.jacobian(), tape.adjoint()};
            String[] names = {"step", "jacobian", "adjoint"};
            for (int p = 0; p < programs.length; p++) {
                CellTape.Program program = programs[p];
                float[] onDevice = runner.get().run(tape, program, params, h, u, ROWS, D);
                int outs = program.outputs().length;
                assertEquals(ROWS * outs * D, onDevice.length, e.getKey() + " " + names[p] + ": outputs [rows][outputs][D]");
                for (int row = 0; row < ROWS; row++) {
                    float[][] regs = new float[program.registers()][D];
                    program.run(h, row * k * D, u, row * g * D, arrays, regs, D);
                    for (int o = 0; o < outs; o++) {
                        for (int i = 0; i < D; i++) {
                            float want = regs[program.outputs()[o]][i];
                            float got = onDevice[(row * outs + o) * D + i];
                            double err = Math.abs(got - want) / Math.max(1.0, Math.abs(want));
                            worst = Math.max(worst, err);
                            assertTrue(err <= TOLERANCE, e.getKey() + " " + names[p] + " row " + row + " output " + o
                                    + " feature " + i + ": device " + got + ", reference " + want);
                        }
                    }
                }
            }
        }
        BackendConformanceKit.publish(reporter, "error", worst);
    }

    private static float[] uniform(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
