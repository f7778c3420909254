package org.pararnn.backend.opencl;

import com.aparapi.Kernel;

/**
 * A cell tape's program interpreted on the OpenCL device (docs/design.md §4, "Cell tapes"): one work-item per (row,
 * feature) runs the program's instructions ({@code code}, 8 words each as {@code CellTape} encodes them) over its own
 * registers, a slice of {@code regs} ({@code [lanes][registers]}: Aparapi has no per-work-item arrays), reading the
 * row's state {@code h [rows][hStride]}, input {@code u [rows][uStride]} and the parameters packed in
 * {@code params} at {@code offsets}, and writes the program's outputs {@code out [rows][nOut][D]}.
 */
final class TapeKernel extends Kernel {
    int[] code = {0};
    int[] outputs = {0};
    int[] offsets = {0};
    float[] consts = {0f};
    float[] params = {0f};
    float[] h = {0f};
    float[] u = {0f};
    float[] out = {0f};
    float[] regs = {0f};
    int instructions;
    int nOut;
    int hStride;
    int uStride;
    int lanes;
    int dw;
    int registers;

    @Override
    public void run() {
        int lane = getGlobalId();
        if (lane < lanes) {
            int row = lane / dw;
            int i = lane - row * dw;
            int rb = lane * registers;
            for (int n = 0; n < instructions; n++) {
                int c0 = 8 * n;
                int op = code[c0];
                float v = 0f;
                if (op == 0) {
                    v = consts[code[c0 + 7]];
                } else if (op == 1) {
                    v = h[row * hStride + code[c0 + 5] * dw + i];
                } else if (op == 2) {
                    v = u[row * uStride + code[c0 + 5] * dw + i];
                } else if (op == 3) {
                    v = params[offsets[code[c0 + 6]] + code[c0 + 5] * dw + i];
                } else if (op == 4) {
                    int wb = offsets[code[c0 + 6]] + i * dw;
                    int hb = row * hStride + code[c0 + 5] * dw;
                    float acc = 0f;
                    for (int e = 0; e < dw; e++) {
                        acc = acc + params[wb + e] * h[hb + e];
                    }
                    v = acc;
                } else {
                    float x = regs[rb + code[c0 + 2]];
                    int bi = code[c0 + 3];
                    int ci = code[c0 + 4];
                    float y = 0f;
                    float z = 0f;
                    if (bi >= 0) {
                        y = regs[rb + bi];
                    }
                    if (ci >= 0) {
                        z = regs[rb + ci];
                    }
                    v = apply(op, x, y, z);
                }
                regs[rb + code[c0 + 1]] = v;
            }
            for (int o = 0; o < nOut; o++) {
                out[(row * nOut + o) * dw + i] = regs[rb + outputs[o]];
            }
        }
    }

    /** One element of an element-wise operation, by its code in the tape. */
    float apply(int op, float x, float y, float z) {
        float v = 0f;
        if (op == 5) {
            v = x + y;
        } else if (op == 6) {
            v = x - y;
        } else if (op == 7) {
            v = x * y;
        } else if (op == 8) {
            v = x / y;
        } else if (op == 9) {
            v = -x;
        } else if (op == 10) {
            v = exp(x);
        } else if (op == 11) {
            v = log(x);
        } else if (op == 12) {
            v = tanh(x);
        } else if (op == 13) {
            v = 1f / (1f + exp(-x));
        } else if (op == 14) {
            v = x > 20f ? x : log(1f + exp(x));
        } else if (op == 15) {
            v = x / (1f + exp(-x));
        } else if (op == 16) {
            v = max(x, y);
        } else if (op == 17) {
            v = min(x, y);
        } else if (op == 18) {
            v = x > 0f ? y : z;
        }
        return v;
    }
}
