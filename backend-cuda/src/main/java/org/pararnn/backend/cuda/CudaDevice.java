package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
/**
 * The host's view of one CUDA device, the interface the backend's host code is written against. Work goes
 * through a {@link Stream}: each solving thread takes one (its own CUDA stream, host staging and device
 * buffers), so threads do not wait for each other's copies and kernels. The JCuda driver API fills it on a
 * GPU; the emulator ({@link EmulatedDevice}) fills it on the CPU with the very same kernels compiled for the
 * host, so the host code, the buffer handling and the launch geometry run in CI too (docs/design.md §7).
 */
interface CudaDevice extends AutoCloseable {
    /** The device in words, for reports. */
    String describe();

    /** A new stream with its own staging whose kernels are timed; close it when done. */
    default Stream newStream() {
        return newStream(true);
    }

    /**
     * A new stream with its own staging; with {@code timedKernels} each kernel's device time is measured
     * (on a GPU a launch then waits for the previous kernel of the stream, so that one timed kernel is in
     * flight), without it launches queue freely and {@link Stream#kernelNanos()} stays 0 (the ops' stream:
     * hundreds of small kernels a step, timed as a whole by the callers).
     */
    Stream newStream(boolean timedKernels);

    /**
     * Copies {@code floats} floats from {@code src} to {@code dst} on the device and returns the device time it
     * took in nanoseconds: the memory floor a scan is measured against.
     */
    long copyOnDevice(long floats);

    /** Nanoseconds the kernels launched so far ran on the device, on every stream. */
    long kernelNanos();

    /**
     * What the kernels launched so far did, on every stream, where this device counts it (the emulator);
     * null where it does not (a GPU: its profiler measures these).
     */
    default KernelTally counts() {
        return null;
    }

    @Override
    void close();

    /** Device memory of one device; what its address is, only that device knows. */
    interface Buffer {
        long floats();
    }

    /**
     * One in-order queue of copies and kernels. Uploads are staged (on a GPU through pinned host memory) and
     * may still be in flight when the call returns; a download's values are in the Java array once
     * {@link #sync()} has returned. Not thread-safe: one solving thread at a time.
     */
    interface Stream extends AutoCloseable {
        /** {@code floats} floats of device memory; fails with the reason when the device has no room. */
        Buffer alloc(long floats);

        void free(Buffer buffer);

        /** {@code n} floats from {@code src[off..]} to {@code dst} from float {@code dstOff} on. */
        void upload(float[] src, int off, int n, Buffer dst, long dstOff);

        /** {@code n} floats of {@code src} from float {@code srcOff} on into {@code dst[off..]}, complete at {@link #sync()}. */
        void download(Buffer src, long srcOff, float[] dst, int off, int n);

        /** {@code n} ints from {@code src[off..]} to {@code dst} from slot {@code dstOff} on (a slot holds a float or an int). */
        void uploadInts(int[] src, int off, int n, Buffer dst, long dstOff);

        /** {@code n} ints of {@code src} from slot {@code srcOff} on into {@code dst[off..]}, complete at {@link #sync()}. */
        void downloadInts(Buffer src, long srcOff, int[] dst, int off, int n);

        /**
         * Queues {@code kernel} over {@code grid × block} threads with {@code sharedBytes} of dynamic shared
         * memory; {@code args} are the kernel's parameters in order ({@link KernelArgs}). A launch that fails
         * throws with the device's reason (at the latest from {@link #sync()}).
         */
        void launch(String kernel, int[] grid, int[] block, int sharedBytes, KernelArgs args);

        /** Waits until everything queued has run; downloads are then in their arrays. */
        void sync();

        /** Bytes staged to and from the device by this stream so far. */
        long bytesUp();

        /** Device time of the kernels this stream ran so far (complete after {@link #sync()}). */
        long kernelNanos();

        long bytesDown();

        @Override
        void close();
    }
}
