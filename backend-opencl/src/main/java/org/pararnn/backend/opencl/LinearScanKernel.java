package org.pararnn.backend.opencl;

/** The plain linear scan {@code h_t = A_t h_{t−1} + b_t} (and its reverse): only the scan passes. */
final class LinearScanKernel extends ChunkedScanKernel {
    @Override
    public void run() {
        scanPass();
    }
}
