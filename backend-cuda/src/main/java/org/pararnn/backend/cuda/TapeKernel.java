package org.pararnn.backend.cuda;

import java.util.List;
import org.pararnn.api.spi.CellTape;

/**
 * A cell tape's program run on the device ({@code pararnn_tape_run} in {@code cells.cu}): one thread per (row,
 * feature) interprets the program's instructions over its own registers, reading the row's state and input and the
 * cell's parameters, and writes the program's outputs {@code [rows][outputs][D]}. The first device interpreter of a
 * cell-language cell (issue #34): f and its Jacobian entries of every row at once, on device arrays, checked against
 * {@link CellTape.Program#run}, the reference interpreter.
 */
final class TapeKernel {
    /** Registers a thread holds ({@code PARARNN_TAPE_REGISTERS}); a tape that needs more is refused, saying so. */
    static final int MAX_REGISTERS = 128;
    private static final int THREADS = 256;

    private TapeKernel() {
    }

    /**
     * {@code program} of {@code tape} over {@code rows} rows of width {@code d}: states {@code h [rows][K·D]}, inputs
     * {@code u [rows][G·D]}, the parameters' data in the tape's order. Returns {@code [rows][outputs][D]}.
     */
    static float[] run(CudaDevice device, CellTape tape, CellTape.Program program, List<float[]> params, float[] h,
                       float[] u, int rows, int d) {
        if (program.registers() > MAX_REGISTERS) {
            throw new IllegalArgumentException("this cell's tape needs " + program.registers() + " registers; the device"
                    + " interpreter holds " + MAX_REGISTERS);
        }
        int hStride = tape.blocks() * d;
        int uStride = tape.gates() * d;
        CellTape.PackedParams packed = tape.pack(params, h, u, rows, d);
        int n = program.code().size();
        int[] code = program.words();
        int[] offsets = packed.offsets();
        int outputs = program.outputs().length;
        float[] consts = program.constants().length == 0 ? new float[1] : program.constants();
        float[] result = new float[rows * outputs * d];
        try (CudaDevice.Stream s = device.newStream(false)) {
            CudaDevice.Buffer bCode = s.alloc(code.length);
            CudaDevice.Buffer bOut = s.alloc(Math.max(1, outputs));
            CudaDevice.Buffer bConsts = s.alloc(consts.length);
            CudaDevice.Buffer bParams = s.alloc(packed.data().length);
            CudaDevice.Buffer bOffsets = s.alloc(offsets.length);
            CudaDevice.Buffer bH = s.alloc(Math.max(1, (long) rows * hStride));
            CudaDevice.Buffer bU = s.alloc(Math.max(1, (long) rows * uStride));
            CudaDevice.Buffer bResult = s.alloc(Math.max(1, result.length));
            try {
                s.uploadInts(code, 0, code.length, bCode, 0);
                s.uploadInts(program.outputs(), 0, outputs, bOut, 0);
                s.upload(consts, 0, consts.length, bConsts, 0);
                s.upload(packed.data(), 0, packed.data().length, bParams, 0);
                s.uploadInts(offsets, 0, offsets.length, bOffsets, 0);
                s.upload(h, 0, rows * hStride, bH, 0);
                s.upload(u, 0, rows * uStride, bU, 0);
                long lanes = (long) rows * d;
                s.launch("pararnn_tape_run", new int[] {(int) ((lanes + THREADS - 1) / THREADS), 1, 1},
                        new int[] {THREADS, 1, 1}, 0, new KernelArgs().pointer(bCode).integer(n).pointer(bOut).integer(outputs)
                                .pointer(bConsts).pointer(bParams).pointer(bOffsets).pointer(bH).integer(hStride).pointer(bU)
                                .integer(uStride).integer(rows).integer(d).pointer(bResult));
                s.download(bResult, 0, result, 0, result.length);
                s.sync();
            } finally {
                for (CudaDevice.Buffer b : new CudaDevice.Buffer[] {bCode, bOut, bConsts, bParams, bOffsets, bH, bU, bResult}) {
                    s.free(b);
                }
            }
        }
        return result;
    }
}
