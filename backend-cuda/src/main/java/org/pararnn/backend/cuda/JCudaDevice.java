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
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * A GPU through the CUDA driver API (JCuda): the packaged PTX is JIT-compiled by the driver for the
 * device it meets, so a user's machine needs the NVIDIA driver ({@code libcuda.so.1}) and nothing of the
 * toolkit. The primary context is made current on whichever thread calls (the backend serialises calls);
 * kernel time is measured with CUDA events around each launch.
 */
final class JCudaDevice implements CudaDevice {
    /** Oldest compute capability the packaged PTX (virtual architecture compute_75) runs on. */
    static final int MIN_CAPABILITY = 75;
    static final String PTX = "scan.ptx";

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
    private final CUmodule module = new CUmodule();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final CUevent start = new CUevent();
    private final CUevent stop = new CUevent();
    private long kernelNanos;
    private boolean closed;

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
            check(cuModuleLoadData(module, ptx()), "loading the packaged PTX (cuModuleLoadData)");
        } catch (RuntimeException e) {
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        check(cuEventCreate(start, 0), "cuEventCreate");
        check(cuEventCreate(stop, 0), "cuEventCreate");
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

    /** The packaged PTX, NUL-terminated as cuModuleLoadData wants it. */
    static byte[] ptx() {
        try (InputStream in = JCudaDevice.class.getResourceAsStream(PTX)) {
            if (in == null) {
                throw new IllegalStateException("the jar packages no " + PTX);
            }
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1];
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the packaged " + PTX + ": " + e.getMessage(), e);
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
        current();
        check(cuMemFree(pointer(buffer)), "cuMemFree");
    }

    @Override
    public void upload(float[] src, int off, int n, Buffer dst, long dstOff) {
        current();
        check(cuMemcpyHtoD(pointer(dst).withByteOffset(4 * dstOff), Pointer.to(src).withByteOffset(4L * off), 4L * n),
                "cuMemcpyHtoD");
    }

    @Override
    public void download(Buffer src, long srcOff, float[] dst, int off, int n) {
        current();
        check(cuMemcpyDtoH(Pointer.to(dst).withByteOffset(4L * off), pointer(src).withByteOffset(4 * srcOff), 4L * n),
                "cuMemcpyDtoH");
    }

    @Override
    public long copyOnDevice(Buffer src, Buffer dst, long floats) {
        current();
        check(cuEventRecord(start, null), "cuEventRecord");
        check(cuMemcpyDtoD(pointer(dst), pointer(src), 4 * floats), "cuMemcpyDtoD");
        check(cuEventRecord(stop, null), "cuEventRecord");
        check(cuEventSynchronize(stop), "cuEventSynchronize");
        float[] ms = {0f};
        check(cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
        return (long) (ms[0] * 1e6);
    }

    @Override
    public void launch(String kernel, int[] grid, int[] block, int sharedBytes, KernelArgs args) {
        current();
        CUfunction f = functions.computeIfAbsent(kernel, name -> {
            CUfunction fn = new CUfunction();
            check(cuModuleGetFunction(fn, module, name), "finding kernel " + name + " in the PTX");
            return fn;
        });
        Pointer[] params = new Pointer[args.list().size()];
        for (int i = 0; i < params.length; i++) {
            KernelArgs.Arg a = args.list().get(i);
            params[i] = a.isPointer() ? Pointer.to(a.buffer() == null ? new CUdeviceptr() : pointer(a.buffer()))
                    : Pointer.to(new int[] {a.value()});
        }
        check(cuEventRecord(start, null), "cuEventRecord");
        check(cuLaunchKernel(f, grid[0], grid[1], grid[2], block[0], block[1], block[2], sharedBytes, null,
                Pointer.to(params), null), "launching " + kernel);
        check(cuEventRecord(stop, null), "cuEventRecord");
        check(cuEventSynchronize(stop), kernel + " (cuEventSynchronize)");
        float[] ms = {0f};
        check(cuEventElapsedTime(ms, start, stop), "cuEventElapsedTime");
        kernelNanos += (long) (ms[0] * 1e6);
    }

    @Override
    public long kernelNanos() {
        return kernelNanos;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        current();
        cuEventDestroy(start);
        cuEventDestroy(stop);
        cuModuleUnload(module);
        cuDevicePrimaryCtxRelease(device);
        closed = true;
    }
}
