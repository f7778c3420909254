package org.pararnn.backend.cuda;

import java.util.Arrays;

/** A kernel's parameters in order: device pointers and 32-bit integers, as {@code cuLaunchKernel} takes them. */
final class KernelArgs {
    private long[] values = new long[12];
    private boolean[] pointer = new boolean[12];
    private int size;

    KernelArgs pointer(long devicePointer) {
        return add(devicePointer, true);
    }

    KernelArgs integer(int value) {
        return add(value & 0xffffffffL, false);
    }

    private KernelArgs add(long v, boolean isPointer) {
        if (size == values.length) {
            values = Arrays.copyOf(values, 2 * size);
            pointer = Arrays.copyOf(pointer, 2 * size);
        }
        values[size] = v;
        pointer[size] = isPointer;
        size++;
        return this;
    }

    int size() {
        return size;
    }

    long value(int i) {
        return values[i];
    }

    boolean isPointer(int i) {
        return pointer[i];
    }

    /** One 64-bit slot per parameter (an int in the low half), as the emulator reads them. */
    long[] slots() {
        return Arrays.copyOf(values, size);
    }
}
