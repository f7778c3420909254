package org.pararnn.backend.cuda;

import org.pararnn.api.spi.KernelTally;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The CUDA kernels compiled for the host against the emulation header and run on the CPU (for testing:
 * blocks one after another, a block's threads as fibres with real barriers and checked warp collectives).
 * Device memory is host memory. Built into the jar when the build machine had a C++ compiler; otherwise
 * {@link #unavailableReason()} says why.
 */
final class EmulatedDevice implements CudaDevice {
    private static final String RESOURCE = "native/linux-x86_64/";
    private static final String LIBRARY = "libpararnn_cuda_emu.so";

    /** Holder: the library is extracted and loaded on first use only. */
    private static final class Native {
        static final String UNAVAILABLE = load();

        private static String load() {
            String os = System.getProperty("os.name", "") + "-" + System.getProperty("os.arch", "");
            if (!os.equals("Linux-amd64")) {
                return "the emulated kernels are built for linux-x86_64 only (this is " + os + ")";
            }
            try (InputStream marker = EmulatedDevice.class.getResourceAsStream(RESOURCE + "UNAVAILABLE")) {
                if (marker != null) {
                    return new String(marker.readAllBytes(), StandardCharsets.UTF_8).trim();
                }
            } catch (IOException e) {
                return "cannot read the build's marker: " + e.getMessage();
            }
            try (InputStream lib = EmulatedDevice.class.getResourceAsStream(RESOURCE + LIBRARY)) {
                if (lib == null) {
                    return "the jar holds no emulated kernels (" + LIBRARY + "): the build did not make them";
                }
                Path tmp = Files.createTempFile("pararnn_cuda_emu", ".so");
                tmp.toFile().deleteOnExit();
                Files.copy(lib, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toAbsolutePath().toString());
                return null;
            } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
                return "the emulated kernels did not load: " + e.getMessage();
            }
        }
    }

    /** Null when the emulated kernels can run here, else why not. */
    static String unavailableReason() {
        return Native.UNAVAILABLE;
    }

    private final java.util.concurrent.atomic.AtomicLong kernelNanos = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicReference<KernelTally> counts =
            new java.util.concurrent.atomic.AtomicReference<>(KernelTally.ZERO);
    private volatile boolean closed;

    EmulatedDevice() {
        if (unavailableReason() != null) {
            throw new IllegalStateException(unavailableReason());
        }
    }

    @Override
    public String describe() {
        return "CUDA kernels emulated on the CPU (" + Runtime.getRuntime().availableProcessors() + " cores; for testing only)";
    }

    /** Host memory standing in for device memory. */
    record HostBuffer(long address, long floats) implements Buffer {
    }

    /** Kernels run synchronously here and are always timed. */
    @Override
    public Stream newStream(boolean timedKernels) {
        if (closed) {
            throw new IllegalStateException("the emulated CUDA device was closed");
        }
        return new HostStream();
    }

    @Override
    public long copyOnDevice(long floats) {
        try (Stream s = newStream()) {
            Buffer src = s.alloc(floats);
            Buffer dst = s.alloc(floats);
            try {
                long t0 = System.nanoTime();
                copy0(address(src), address(dst), 4 * floats);
                return System.nanoTime() - t0;
            } finally {
                s.free(src);
                s.free(dst);
            }
        }
    }

    @Override
    public long kernelNanos() {
        return kernelNanos.get();
    }

    /** Every launch's counts added up, over all streams (docs/design.md §7). */
    @Override
    public KernelTally counts() {
        return counts.get();
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Everything runs at once on the calling thread: the emulator's launches are synchronous. */
    private final class HostStream extends CountingStream {

        @Override
        public Buffer alloc(long floats) {
            long p = malloc0(4 * Math.max(1, floats));
            if (p == 0) {
                throw new IllegalStateException("emulated device: cannot allocate " + 4 * floats + " bytes");
            }
            return new HostBuffer(p, floats);
        }

        @Override
        public void free(Buffer buffer) {
            free0(address(buffer));
        }

        @Override
        public void upload(float[] src, int off, int n, Buffer dst, long dstOff) {
            check(dst, dstOff, n);
            upload0(src, off, n, address(dst) + 4 * dstOff);
            countUp(n);
        }

        @Override
        public void download(Buffer src, long srcOff, float[] dst, int off, int n) {
            check(src, srcOff, n);
            download0(address(src) + 4 * srcOff, dst, off, n);
            countDown(n);
        }

        @Override
        public void uploadInts(int[] src, int off, int n, Buffer dst, long dstOff) {
            check(dst, dstOff, n);
            uploadInts0(src, off, n, address(dst) + 4 * dstOff);
            countUp(n);
        }

        @Override
        public void downloadInts(Buffer src, long srcOff, int[] dst, int off, int n) {
            check(src, srcOff, n);
            downloadInts0(address(src) + 4 * srcOff, dst, off, n);
            countDown(n);
        }

        @Override
        public void launch(String kernel, int[] grid, int[] block, int sharedBytes, KernelArgs args) {
            if (closed) {
                throw new IllegalStateException("the emulated CUDA device was closed");
            }
            long[] slots = new long[args.list().size()];
            for (int i = 0; i < slots.length; i++) {
                KernelArgs.Arg a = args.list().get(i);
                // One 64-bit slot per parameter: an address, or an int in the low half.
                slots[i] = a.isPointer() ? (a.buffer() == null ? 0L : address(a.buffer())) : a.value() & 0xffffffffL;
            }
            long[] c = new long[4];
            long t0 = System.nanoTime();
            String error = launch0(kernel, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes, slots, c);
            long took = System.nanoTime() - t0;
            kernelNanos.addAndGet(took);
            countKernel(took);
            if (error != null) {
                throw new IllegalStateException("kernel " + kernel + " failed on the emulated device: " + error);
            }
            counts.updateAndGet(k -> k.plus(new KernelTally(1, c[0], c[1], c[2], c[3])));
        }

        @Override
        public void sync() {
        }

        @Override
        public void close() {
        }
    }

    private static long address(Buffer b) {
        if (!(b instanceof HostBuffer h)) {
            throw new IllegalArgumentException("not a buffer of the emulated device: " + b);
        }
        return h.address();
    }

    /** A copy past a buffer's end would corrupt the JVM's heap here (on a GPU the driver refuses it). */
    private static void check(Buffer b, long off, int n) {
        if (off < 0 || n < 0 || off + n > b.floats()) {
            throw new IndexOutOfBoundsException("copy of " + n + " floats at " + off + " outside a buffer of " + b.floats());
        }
    }

    private static native long malloc0(long bytes);

    private static native void free0(long pointer);

    private static native void upload0(float[] src, int off, int n, long dst);

    private static native void download0(long src, float[] dst, int off, int n);

    private static native void uploadInts0(int[] src, int off, int n, long dst);

    private static native void downloadInts0(long src, int[] dst, int off, int n);

    private static native void copy0(long src, long dst, long bytes);

    private static native String launch0(String kernel, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                                         long[] params, long[] counts);
}
