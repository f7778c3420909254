package org.pararnn.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertThrows;
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
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.ExpressionCell;
import org.pararnn.cells.lang.HardCells;

/**
 * The device interpreter of cell tapes ({@link TapeKernel}, {@code pararnn_tape_run}) against the reference
 * interpreter ({@link CellTape.Program#run}), on the emulated device: every library cell's step, Jacobian entries
 * and adjoint partials for several rows, each value within 2e-6 of the reference relative to its size (the device's
 * expf / tanhf and fused products against Java's double-rounded functions: a few ulp).
 */
class TapeKernelTest {
    private static final int D = 8;
    private static final int ROWS = 5;
    private static final double TOLERANCE = 2e-6;

    private static Map<String, ExpressionCell> cells() {
        Map<String, ExpressionCell> all = new LinkedHashMap<>();
        CellLibrary.all().forEach((name, spec) -> all.put(name, spec.cell(D, D, 1, 3)));
        all.put("hard.tanh-gain3", HardCells.unstableTanh(D, D, 3, 3));
        all.put("hard.chaotic", HardCells.chaoticMap(D, D, 4, 3));
        return all;
    }

    private static List<float[]> params(ExpressionCell cell, CellTape tape) {
        List<float[]> out = new ArrayList<>();
        for (CellTape.Param p : tape.params()) {
            out.add(cell.parameters().stream().filter(t -> t.name().equals(p.name())).findFirst().map(Tensor::data)
                    .orElseThrow(() -> new AssertionError("no parameter " + p.name())));
        }
        return out;
    }

    @Test
    void everyLibraryCellsProgramsRunOnTheEmulatedDeviceAsTheReferenceInterpreter() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
        try (EmulatedDevice device = new EmulatedDevice()) {
            agreeWithTheReference(device);
        }
    }

    /** The same PTX on a GPU, where this machine has one (else skipped with the probe's reason). */
    @Test
    void everyLibraryCellsProgramsRunOnTheGpuAsTheReferenceInterpreter() {
        org.pararnn.api.spi.Probe probe = new CudaBackendProvider().probe();
        assumeTrue(probe.available(), () -> "cuda unavailable here: " + probe.reason());
        try (JCudaDevice device = new JCudaDevice(0)) {
            agreeWithTheReference(device);
        }
    }

    private static void agreeWithTheReference(CudaDevice device) {
        SplittableRandom r = new SplittableRandom(9);
        {
            for (Map.Entry<String, ExpressionCell> e : cells().entrySet()) {
                ExpressionCell cell = e.getValue();
                CellTape tape = cell.tape();
                List<float[]> params = params(cell, tape);
                float[][] paramArrays = params.toArray(new float[0][]);
                int k = tape.blocks();
                int g = tape.gates();
                float[] h = random(r, ROWS * k * D);
                float[] u = random(r, ROWS * g * D);
                CellTape.Program[] programs = {tape.step(), tape.jacobian(), tape.adjoint()};
                for (int p = 0; p < programs.length; p++) {
                    CellTape.Program program = programs[p];
                    float[] onDevice = TapeKernel.run(device, tape, program, params, h, u, ROWS, D);
                    int outs = program.outputs().length;
                    double worst = 0;
                    for (int row = 0; row < ROWS; row++) {
                        float[][] regs = new float[program.registers()][D];
                        program.run(h, row * k * D, u, row * g * D, paramArrays, regs, D);
                        for (int o = 0; o < outs; o++) {
                            for (int i = 0; i < D; i++) {
                                float want = regs[program.outputs()[o]][i];
                                float got = onDevice[(row * outs + o) * D + i];
                                double err = Math.abs(got - want) / Math.max(1.0, Math.abs(want));
                                worst = Math.max(worst, err);
                                assertTrue(err <= TOLERANCE, e.getKey() + " program " + p + " row " + row + " output " + o
                                        + " feature " + i + ": device " + got + ", reference " + want);
                            }
                        }
                    }
                    assertTrue(Double.isFinite(worst));
                }
            }
        }
    }

    @Test
    void aTapeWithMoreRegistersThanAThreadHoldsIsRefusedSayingSo() {
        assumeTrue(EmulatedDevice.unavailableReason() == null, () -> "emulated kernels unavailable: " + EmulatedDevice.unavailableReason());
        ExpressionCell cell = CellLibrary.all().get("mingru").cell(D, D, 1, 3);
        CellTape tape = cell.tape();
        CellTape.Program big = new CellTape.Program(List.of(), TapeKernel.MAX_REGISTERS + 1, new int[0], new float[0]);
        try (EmulatedDevice device = new EmulatedDevice()) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> TapeKernel.run(device, tape, big, params(cell, tape), new float[D], new float[tape.gates() * D], 1, D));
            assertTrue(ex.getMessage().contains((TapeKernel.MAX_REGISTERS + 1) + " registers"), ex.getMessage());
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
