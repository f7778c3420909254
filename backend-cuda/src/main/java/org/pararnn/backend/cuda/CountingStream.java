package org.pararnn.backend.cuda;

/** What every device's stream counts the same way: the bytes it staged to and from the device, and kernel time. */
abstract class CountingStream implements CudaDevice.Stream {
    private long up;
    private long down;
    private long kernel;

    final void countKernel(long nanos) {
        kernel += nanos;
    }

    @Override
    public final long kernelNanos() {
        return kernel;
    }

    final void countUp(long floats) {
        up += 4 * floats;
    }

    final void countDown(long floats) {
        down += 4 * floats;
    }

    @Override
    public final long bytesUp() {
        return up;
    }

    @Override
    public final long bytesDown() {
        return down;
    }
}
