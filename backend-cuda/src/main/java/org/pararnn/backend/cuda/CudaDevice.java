package org.pararnn.backend.cuda;

/**
 * The host's view of one CUDA device, the interface the backend's host code is written against: device
 * memory, copies, kernel launches. The JCuda driver API fills it on a GPU; the emulator
 * ({@link EmulatedDevice}) fills it on the CPU with the very same kernels compiled for the host, so the
 * host code, the buffer handling and the launch geometry run in CI too (docs/design.md §7).
 * Not thread-safe: the backend serialises its use.
 */
interface CudaDevice extends AutoCloseable {
    /** The device in words, for reports. */
    String describe();

    /** Device memory of one device; what its address is, only that device knows. */
    interface Buffer {
        long floats();
    }

    /** {@code floats} floats of device memory; fails with the reason when the device has no room. */
    Buffer alloc(long floats);

    void free(Buffer buffer);

    /** {@code n} floats from {@code src[off..]} to {@code dst} from float {@code dstOff} on. */
    void upload(float[] src, int off, int n, Buffer dst, long dstOff);

    /** {@code n} floats of {@code src} from float {@code srcOff} on to {@code dst[off..]}. */
    void download(Buffer src, long srcOff, float[] dst, int off, int n);

    /**
     * Copies {@code floats} floats from {@code src} to {@code dst} on the device and returns the device time it
     * took in nanoseconds: the memory floor a scan is measured against.
     */
    long copyOnDevice(Buffer src, Buffer dst, long floats);

    /**
     * Runs {@code kernel} over {@code grid × block} threads with {@code sharedBytes} of dynamic shared memory
     * and waits for it; {@code args} are the kernel's parameters in order ({@link KernelArgs}). A launch that
     * fails throws with the device's reason.
     */
    void launch(String kernel, int[] grid, int[] block, int sharedBytes, KernelArgs args);

    /** Nanoseconds the kernels launched so far ran on the device. */
    long kernelNanos();

    @Override
    void close();
}
