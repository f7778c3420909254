package org.pararnn.backend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadDataJIT;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import jcuda.Pointer;
import jcuda.driver.CUjit_option;
import jcuda.driver.JITOptions;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;

/**
 * A GPU through the CUDA driver API (JCuda): the packaged PTX is JIT-compiled by the driver for the
 * device it meets, so a user's machine needs the NVIDIA driver ({@code libcuda.so.1}) and nothing of the
 * toolkit. The primary context is made current on whichever thread calls; each {@link Stream} is a CUDA
 * stream with its own pinned host staging, so a solving thread's copies run asynchronously and threads do
 * not queue behind each other. Kernel time is measured with CUDA events around each launch.
 */
final class JCudaDevice implements CudaDevice {
    /** Oldest compute capability the packaged PTX (virtual architecture compute_75) runs on. */
    static final int MIN_CAPABILITY = 75;
    /** The packaged PTX modules, one per .cu file; kernels are found in whichever holds them. */
    static final String[] PTX_UNITS = {"scan.ptx", "cells.ptx", "ops.ptx"};

    /** What the driver says about one device. */
    record Info(int ordinal, String name, int capability, long memoryBytes, int driverVersion, int devices) {
        String describe() {
            return String.format(Locale.ROOT, "%s (compute capability %d.%d, %,d MiB, CUDA driver %d.%d)", name,
                    capability / 10, capability % 10, memoryBytes >> 20, driverVersion / 1000, driverVersion % 1000 / 10);
        }
    }

    private final Info info;
    private final CUdevice device = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final CUmodule[] modules = new CUmodule[PTX_UNITS.length];
    private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
    private final AtomicLong kernelNanos = new AtomicLong();
    private volatile boolean closed;

    /** Opens device {@code ordinal}, loads the packaged PTX; throws with the driver's reason. */
    JCudaDevice(int ordinal) {
        this.info = inspect(ordinal);
        if (info.capability() < MIN_CAPABILITY) {
            throw new IllegalStateException(info.describe() + " is older than compute capability 7.5, the oldest the packaged"
                    + " PTX runs on");
        }
        check(cuDeviceGet(device, ordinal), "cuDeviceGet");
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
        try {
            for (int i = 0; i < PTX_UNITS.length; i++) {
                modules[i] = load(PTX_UNITS[i], info.driverVersion());
            }
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
    }

    /** The driver's view of device {@code ordinal}; throws with the reason when there is none. */
    static Info inspect(int ordinal) {
        JCudaDriver.setExceptionsEnabled(false);
        check(cuInit(0), "cuInit");
        int[] count = {0};
        check(cuDeviceGetCount(count), "cuDeviceGetCount");
        if (count[0] == 0) {
            throw new IllegalStateException("the CUDA driver found no device");
        }
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new IllegalStateException("CUDA device " + ordinal + " does not exist: the driver found " + count[0]
                    + " (ordinals 0.." + (count[0] - 1) + ")");
        }
        CUdevice d = new CUdevice();
        check(cuDeviceGet(d, ordinal), "cuDeviceGet");
        byte[] name = new byte[256];
        check(cuDeviceGetName(name, name.length, d), "cuDeviceGetName");
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        int[] major = {0};
        int[] minor = {0};
        check(cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, d), "cuDeviceGetAttribute");
        check(cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, d), "cuDeviceGetAttribute");
        long[] mem = {0};
        check(cuDeviceTotalMem(mem, d), "cuDeviceTotalMem");
        int[] version = {0};
        check(cuDriverGetVersion(version), "cuDriverGetVersion");
        return new Info(ordinal, new String(name, 0, len, StandardCharsets.US_ASCII).trim(), 10 * major[0] + minor[0], mem[0],
                version[0], count[0]);
    }

    /**
     * Loads a packaged PTX unit, the driver JIT-compiling it for this GPU ({@code cuModuleLoadDataEx} with an error
     * log); a failure says why in the JIT's words and names the PTX ISA the unit needs and the driver's version.
     */
    private static CUmodule load(String unit, int driverVersion) {
        byte[] text = ptx(unit);
        CUmodule m = new CUmodule();
        byte[] log = new byte[1 << 14];
        JITOptions options = new JITOptions();
        options.putBytes(CUjit_option.CU_JIT_ERROR_LOG_BUFFER, log);
        options.putInt(CUjit_option.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES, log.length);
        int result = cuModuleLoadDataJIT(m, Pointer.to(text), options);
        if (result != CUresult.CUDA_SUCCESS) {
            String jitLog = options.getString(CUjit_option.CU_JIT_ERROR_LOG_BUFFER);
            throw new IllegalStateException(loadFailure(unit, CUresult.stringFor(result), isa(text), driverVersion, jitLog));
        }
        return m;
    }

    /** The message of a PTX unit the driver would not load. */
    static String loadFailure(String unit, String result, String isa, int driverVersion, String jitLog) {
        String log = jitLog == null || jitLog.isBlank() ? "the JIT left no log" : "JIT log: " + jitLog.trim();
        return String.format(Locale.ROOT, "loading the packaged %s (cuModuleLoadDataEx) failed: %s; the PTX is ISA %s, which a driver "
                + "for CUDA %s or later JIT-compiles; this driver is for CUDA %d.%d; %s", unit, result, isa, cudaFor(isa),
                driverVersion / 1000, driverVersion % 1000 / 10, log);
    }

    /** The PTX ISA version of a unit ({@code .version X.Y}), or "unknown". */
    static String isa(byte[] ptx) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\.version\\s+(\\d+\\.\\d+)")
                .matcher(new String(ptx, StandardCharsets.US_ASCII));
        return m.find() ? m.group(1) : "unknown";
    }

    /** The CUDA release whose driver first reads PTX ISA {@code isa}: 6.x → 10.(x−3), 7.x → 11.x, 8.x → 12.x, 9.x → 13.x. */
    static String cudaFor(String isa) {
        String[] p = isa.split("\\.");
        if (p.length != 2) {
            return "?";
        }
        int major = Integer.parseInt(p[0]);
        int minor = Integer.parseInt(p[1]);
        return major == 6 ? "10." + Math.max(0, minor - 3) : (major + 4) + "." + minor;
    }

    /** A packaged PTX module, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] ptx(String unit) {
        try (InputStream in = JCudaDevice.class.getResourceAsStream(unit)) {
            if (in == null) {
                throw new IllegalStateException("the jar packages no " + unit);
            }
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the packaged " + unit + ": " + e.getMessage(), e);
        }
    }

    static void check(int result, String what) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(what + " failed: " + CUresult.stringFor(result));
        }
    }

    Info info() {
        return info;
    }

    @Override
    public String describe() {
        return info.describe();
    }

    /** Device memory. */
    record DeviceBuffer(CUdeviceptr pointer, long floats) implements Buffer {
    }

    private static CUdeviceptr pointer(Buffer b) {
        if (!(b instanceof DeviceBuffer d)) {
            throw new IllegalArgumentException("not a buffer of this CUDA device: " + b);
        }
        return d.pointer();
    }

    private void current() {
        if (closed) {
            throw new IllegalStateException("the CUDA device was closed");
        }
        check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
    }

    private CUfunction function(String kernel) {
        return functions.computeIfAbsent(kernel, name -> {
            for (CUmodule m : modules) {
                CUfunction fn = new CUfunction();
                if (cuModuleGetFunction(fn, m, name) == CUresult.CUDA_SUCCESS) {
                    return fn;
                }
            }
            throw new IllegalStateException("no kernel named " + name + " in the packaged PTX");
        });
    }

    @Override
    public Stream newStream(boolean timedKernels) {
        current();
        return new DeviceStream(timedKernels);
    }

    @Override
    public long copyOnDevice(long floats) {
        try (DeviceStream s = new DeviceStream(true)) {
            Buffer src = s.alloc(floats);
            Buffer dst = s.alloc(floats);
            try {
                s.timed(() -> check(cuMemcpyDtoD(pointer(dst), pointer(src), 4 * floats), "cuMemcpyDtoD"));
                long best = Long.MAX_VALUE;
                for (int i = 0; i < 3; i++) {
                    best = Math.min(best, s.timed(() -> check(cuMemcpyDtoD(pointer(dst), pointer(src), 4 * floats), "cuMemcpyDtoD")));
                }
                return best;
            } finally {
                s.free(src);
                s.free(dst);
            }
        }
    }

    /**
     * A CUDA stream with pinned host staging. Uploads copy the Java array into the staging and queue an
     * asynchronous copy from there; downloads queue a copy into the staging, and {@link #sync()} moves it into
     * the Java arrays. The staging grows (after a sync) when a call needs more.
     */
    /** Pinned staging per stream at most: 64 Mi floats (256 MiB); larger copies go through it in pieces. */
    static final long MAX_STAGE = 1L << 26;

    private final class DeviceStream extends CountingStream {
        private final CUstream stream = new CUstream();
        private final CUevent start = new CUevent();
        private final CUevent stop = new CUevent();
        private Pointer staging;
        private FloatBuffer stagingFloats;
        /** The same staging seen as ints (token ids, targets, the halves of double sums). */
        private java.nio.IntBuffer stagingInts;
        private long capacity;
        private long used;
        private boolean timing;
        private String pendingKernel;
        private final List<Object[]> pendingDownloads = new ArrayList<>();

        /** Whether each kernel is timed by events (one timed kernel in flight). */
        private final boolean timedKernels;

        DeviceStream(boolean timedKernels) {
            this.timedKernels = timedKernels;
            check(cuStreamCreate(stream, 0), "cuStreamCreate");
            check(cuEventCreate(start, 0), "cuEventCreate");
            check(cuEventCreate(stop, 0), "cuEventCreate");
        }

        /**
         * Floats at {@code used} in the staging ({@code n} at most {@link #MAX_STAGE}), growing it (after
         * finishing queued work) when short.
         */
        private long reserve(long n) {
            if (used + n > capacity) {
                sync();
                if (n > capacity) {
                    if (staging != null) {
                        cuMemFreeHost(staging);
                    }
                    long grown = Math.min(MAX_STAGE, Math.max(n, 2 * capacity));
                    staging = new Pointer();
                    check(cuMemAllocHost(staging, 4 * grown), "allocating " + 4 * grown + " bytes of pinned host memory");
                    stagingFloats = staging.getByteBuffer(0, 4 * grown).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    stagingInts = staging.getByteBuffer(0, 4 * grown).order(ByteOrder.nativeOrder()).asIntBuffer();
                    capacity = grown;
                }
            }
            long at = used;
            used += n;
            return at;
        }

        @Override
        public Buffer alloc(long floats) {
            current();
            CUdeviceptr p = new CUdeviceptr();
            int r = cuMemAlloc(p, 4 * Math.max(1, floats));
            if (r != CUresult.CUDA_SUCCESS) {
                throw new IllegalStateException("cannot allocate " + 4 * floats + " bytes on " + info.name() + ": "
                        + CUresult.stringFor(r));
            }
            return new DeviceBuffer(p, floats);
        }

        @Override
        public void free(Buffer buffer) {
            sync();
            check(cuMemFree(pointer(buffer)), "cuMemFree");
        }

        /** Stages {@code piece} values of the Java array from {@code from} at slot {@code at} of the staging. */
        private interface Stager {
            void put(int at, int from, int piece);
        }

        /** {@code n} values to {@code dst} from slot {@code dstOff}, through the staging in pieces. */
        private void uploadPieces(int n, Buffer dst, long dstOff, int off, Stager stager) {
            current();
            for (int done = 0; done < n; ) {
                int piece = (int) Math.min(MAX_STAGE, n - done);
                long at = reserve(piece);
                stager.put(Math.toIntExact(at), off + done, piece);
                check(cuMemcpyHtoDAsync(pointer(dst).withByteOffset(4 * (dstOff + done)), staging.withByteOffset(4 * at),
                        4L * piece, stream), "cuMemcpyHtoDAsync");
                done += piece;
            }
            countUp(n);
        }

        /** {@code n} values of {@code src} from slot {@code srcOff} into the Java array {@code dst} (float[] or int[]) at {@link #sync()}. */
        private void downloadPieces(Buffer src, long srcOff, Object dst, int off, int n) {
            current();
            for (int done = 0; done < n; ) {
                int piece = (int) Math.min(MAX_STAGE, n - done);
                long at = reserve(piece);
                check(cuMemcpyDtoHAsync(staging.withByteOffset(4 * at), pointer(src).withByteOffset(4 * (srcOff + done)),
                        4L * piece, stream), "cuMemcpyDtoHAsync");
                pendingDownloads.add(new Object[] {dst, off + done, piece, at});
                done += piece;
            }
            countDown(n);
        }

        @Override
        public void upload(float[] src, int off, int n, Buffer dst, long dstOff) {
            uploadPieces(n, dst, dstOff, off, (at, from, piece) -> stagingFloats.put(at, src, from, piece));
        }

        @Override
        public void download(Buffer src, long srcOff, float[] dst, int off, int n) {
            downloadPieces(src, srcOff, dst, off, n);
        }

        @Override
        public void uploadInts(int[] src, int off, int n, Buffer dst, long dstOff) {
            uploadPieces(n, dst, dstOff, off, (at, from, piece) -> stagingInts.put(at, src, from, piece));
        }

        @Override
        public void downloadInts(Buffer src, long srcOff, int[] dst, int off, int n) {
            downloadPieces(src, srcOff, dst, off, n);
        }

        @Override
        public void launch(String kernel, int[] grid, int[] block, int sharedBytes, KernelArgs args) {
            current();
            if (timing) {
                sync(); // one timed kernel in flight per stream
            }
            CUfunction f = function(kernel);
            Pointer[] params = new Pointer[args.list().size()];
            for (int i = 0; i < params.length; i++) {
                KernelArgs.Arg a = args.list().get(i);
                params[i] = a.isPointer() ? Pointer.to(a.buffer() == null ? new CUdeviceptr() : pointer(a.buffer()))
                        : Pointer.to(new int[] {a.value()});
            }
            if (timedKernels) {
                check(cuEventRecord(start, stream), "cuEventRecord");
            }
            check(cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes, stream,
                    Pointer.to(params), null), "launching " + kernel);
            if (timedKernels) {
                check(cuEventRecord(stop, stream), "cuEventRecord");
                timing = true;
            }
            pendingKernel = kernel;
        }

        @Override
        public void sync() {
            current();
            check(cuStreamSynchronize(stream), pendingKernel == null ? "cuStreamSynchronize" : pendingKernel + " (cuStreamSynchronize)");
            if (timing) {
                float[] ms = {0f};
                check(cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
                kernelNanos.addAndGet((long) (ms[0] * 1e6));
                countKernel((long) (ms[0] * 1e6));
                timing = false;
            }
            pendingKernel = null;
            for (Object[] d : pendingDownloads) {
                if (d[0] instanceof int[] ints) {
                    stagingInts.get(Math.toIntExact((Long) d[3]), ints, (Integer) d[1], (Integer) d[2]);
                } else {
                    stagingFloats.get(Math.toIntExact((Long) d[3]), (float[]) d[0], (Integer) d[1], (Integer) d[2]);
                }
            }
            pendingDownloads.clear();
            used = 0;
        }

        /** Device time of {@code work} queued on this stream, in nanoseconds. */
        long timed(Runnable work) {
            sync();
            check(cuEventRecord(start, stream), "cuEventRecord");
            work.run();
            check(cuEventRecord(stop, stream), "cuEventRecord");
            check(cuEventSynchronize(stop), "cuEventSynchronize");
            float[] ms = {0f};
            check(cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
            return (long) (ms[0] * 1e6);
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            sync();
            cuEventDestroy(start);
            cuEventDestroy(stop);
            cuStreamDestroy(stream);
            if (staging != null) {
                cuMemFreeHost(staging);
                staging = null;
            }
        }
    }

    @Override
    public long kernelNanos() {
        return kernelNanos.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        current();
        for (CUmodule m : modules) {
            if (m != null) {
                cuModuleUnload(m);
            }
        }
        cuDevicePrimaryCtxRelease(device);
        closed = true;
    }
}
