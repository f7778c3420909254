package org.pararnn.backend.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel's parameters in order, as {@code cuLaunchKernel} takes them: device buffers (or a null pointer)
 * and 32-bit integers. Each {@link CudaDevice} turns them into its own parameter array.
 */
final class KernelArgs {
    /** One parameter: a buffer (null: a null pointer) or an int. */
    record Arg(boolean isPointer, CudaDevice.Buffer buffer, int value) {
    }

    private final List<Arg> args = new ArrayList<>();

    KernelArgs pointer(CudaDevice.Buffer buffer) {
        args.add(new Arg(true, buffer, 0));
        return this;
    }

    KernelArgs integer(int value) {
        args.add(new Arg(false, null, value));
        return this;
    }

    /** A float parameter: its 32 bits, passed as the kernel reads them. */
    KernelArgs real(float value) {
        return integer(Float.floatToRawIntBits(value));
    }

    List<Arg> list() {
        return args;
    }
}
