package org.pararnn.backend.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.CellTape;
import org.pararnn.api.spi.Probe;
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.ExpressionCell;
import org.pararnn.cells.lang.HardCells;

/**
 * The OpenCL interpreter of cell tapes ({@link TapeKernel}, {@link OpenClBackend#runTape}) against the reference
 * interpreter ({@link CellTape.Program#run}) on this machine's OpenCL device (PoCL in CI): every library cell's step,
 * Jacobian entries and adjoint partials for several rows, each value within 2e-6 of the reference relative to its size.
 */
class OpenClTapeTest {
    private static final int D = 8;
    private static final int ROWS = 5;
    private static final double TOLERANCE = 2e-6;

    @Test
    void everyLibraryCellsProgramsRunOnTheDeviceAsTheReferenceInterpreter() {
        OpenClBackendProvider provider = new OpenClBackendProvider();
        Probe probe = provider.probe();
        assumeTrue(probe.available(), () -> "opencl unavailable here: " + probe.reason());
        Map<String, ExpressionCell> cells = new LinkedHashMap<>();
        CellLibrary.all().forEach((name, spec) -> cells.put(name, spec.cell(D, D, 1, 3)));
        cells.put("hard.tanh-gain3", HardCells.unstableTanh(D, D, 3, 3));
        cells.put("hard.chaotic", HardCells.chaoticMap(D, D, 4, 3));
        SplittableRandom r = new SplittableRandom(9);
        try (OpenClBackend backend = (OpenClBackend) provider.create()) {
            for (Map.Entry<String, ExpressionCell> e : cells.entrySet()) {
                ExpressionCell cell = e.getValue();
                CellTape tape = cell.tape();
                List<float[]> params = new ArrayList<>();
                for (CellTape.Param p : tape.params()) {
                    params.add(cell.parameters().stream().filter(t -> t.name().equals(p.name())).findFirst()
                            .map(Tensor::data).orElseThrow());
                }
                float[][] arrays = params.toArray(new float[0][]);
                int k = tape.blocks();
                int g = tape.gates();
                float[] h = random(r, ROWS * k * D);
                float[] u = random(r, ROWS * g * D);
                CellTape.Program[] programs = {tape.step(), tape.jacobian(), tape.adjoint()};
                for (int p = 0; p < programs.length; p++) {
                    CellTape.Program program = programs[p];
                    float[] onDevice = backend.runTape(tape, program, params, h, u, ROWS, D);
                    int outs = program.outputs().length;
                    for (int row = 0; row < ROWS; row++) {
                        float[][] regs = new float[program.registers()][D];
                        program.run(h, row * k * D, u, row * g * D, arrays, regs, D);
                        for (int o = 0; o < outs; o++) {
                            for (int i = 0; i < D; i++) {
                                float want = regs[program.outputs()[o]][i];
                                float got = onDevice[(row * outs + o) * D + i];
                                double err = Math.abs(got - want) / Math.max(1.0, Math.abs(want));
                                assertTrue(err <= TOLERANCE, e.getKey() + " program " + p + " row " + row + " output " + o
                                        + " feature " + i + ": device " + got + ", reference " + want);
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
