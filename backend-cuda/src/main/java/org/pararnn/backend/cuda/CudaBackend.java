package org.pararnn.backend.cuda;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.ParallelLoop;

/**
 * A backend on one {@link CudaDevice}: {@code cuda} on a GPU through the JCuda driver API, or
 * {@code cuda-emulated}, the same kernels and host code on the CPU for testing. Every use of the device is
 * serialised by one lock, so concurrent callers get the single-threaded results; the bytes moved each
 * way and the kernel time are counted for reports.
 */
final class CudaBackend implements Backend {
    /** Host-side part of the generic solvers (evaluating a cell at every t): the common pool. */
    private static final ParallelLoop HOST_LOOP = new ParallelLoop() {
        @Override
        public int parallelism() {
            return Runtime.getRuntime().availableProcessors();
        }

        @Override
        public void forEach(int tasks, IntConsumer task) {
            IntStream.range(0, tasks).parallel().forEach(task);
        }
    };

    private final String name;
    private final CudaDevice device;
    private final ReentrantLock lock = new ReentrantLock();
    private final CudaScan scan;
    private long bytesUp;
    private long bytesDown;
    private boolean closed;

    CudaBackend(String name, CudaDevice device, ScanGeometry geometry) {
        this.name = name;
        this.device = device;
        this.scan = new CudaScan(this, geometry);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String device() {
        return device.describe();
    }

    @Override
    public LinearScan scan() {
        return scan;
    }

    @Override
    public ParallelLoop loop() {
        return HOST_LOOP;
    }

    /** Runs {@code work} with the device to itself. */
    void exclusive(Consumer<CudaDevice> work) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the " + name + " backend was closed");
            }
            work.accept(device);
        } finally {
            lock.unlock();
        }
    }

    void countUp(long bytes) {
        bytesUp += bytes;
    }

    void countDown(long bytes) {
        bytesDown += bytes;
    }

    /** Kernel time on the device since the backend was made. */
    long kernelNanos() {
        lock.lock();
        try {
            return device.kernelNanos();
        } finally {
            lock.unlock();
        }
    }

    /** Device time of a device-to-device copy of {@code floats} floats: the memory floor of a kernel that moves as much. */
    long copyNanos(long floats) {
        lock.lock();
        try {
            CudaDevice.Buffer src = device.alloc(floats);
            CudaDevice.Buffer dst = device.alloc(floats);
            try {
                device.copyOnDevice(src, dst, floats);
                long best = Long.MAX_VALUE;
                for (int i = 0; i < 3; i++) {
                    best = Math.min(best, device.copyOnDevice(src, dst, floats));
                }
                return best;
            } finally {
                device.free(src);
                device.free(dst);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Bytes copied to and from the device, and kernel time, since the backend was made. */
    String traffic() {
        lock.lock();
        try {
            return String.format(java.util.Locale.ROOT, "%,d B to the device, %,d B back, kernels %.3f ms", bytesUp, bytesDown,
                    device.kernelNanos() / 1e6);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                scan.release(device);
                device.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
