package org.pararnn.backend.opencl;

import com.aparapi.Kernel;
import com.aparapi.Range;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.exception.CompileFailedException;
import com.aparapi.internal.kernel.KernelManager;
import java.util.LinkedHashSet;

/**
 * One Aparapi kernel bound to one OpenCL device, in explicit buffer mode, with the two guarantees the
 * rest of the backend relies on:
 * <ul>
 *   <li><b>No silent fallback.</b> Aparapi quietly runs a kernel on Java threads when its bytecode
 *       cannot be translated or the OpenCL build fails. The kernel is compiled for the device up front
 *       (a failure throws with Aparapi's reason), and after every launch the execution target is checked;
 *       anything but this device is an {@link OpenClException}.</li>
 *   <li><b>Counted transfers.</b> Explicit mode moves only what is asked for. Aparapi still copies an array
 *       to the device by itself the first time a field refers to it, so {@link #upload} puts an array
 *       only when the field already held it, and both cases are counted in {@link #toDevice} /
 *       {@link #toHost} for the solve reports.</li>
 *   <li><b>No copies at all on a device that shares host memory</b> (a CPU device such as PoCL): there
 *       Aparapi backs each buffer with the Java array itself ({@code CL_MEM_USE_HOST_PTR}, re-pinned and
 *       re-created at every launch if the garbage collector moved the array), so kernels read and write
 *       the arrays directly. Explicit {@code put}/{@code get} would even be wrong there: they go through
 *       the buffer made at the last launch, i.e. the array's old address if a collection moved it since,
 *       and a {@code put} then writes into whatever the heap holds there now (seen as a JVM crash under
 *       8 threads of allocation). So on such devices uploads and downloads are skipped.</li>
 * </ul>
 * Not thread-safe: the backend serialises all use of its device.
 */
final class DeviceKernel<K extends Kernel> {
    private final K kernel;
    private final OpenCLDevice device;
    private final String name;
    private final boolean shared;
    private boolean compiled;
    private boolean everLaunched;
    long toDevice;
    long toHost;
    long launches;

    DeviceKernel(K kernel, OpenCLDevice device) {
        this.kernel = kernel;
        this.device = device;
        this.name = kernel.getClass().getSimpleName();
        this.shared = device.isSharedMemory();
        kernel.setExplicit(true);
        LinkedHashSet<Device> only = new LinkedHashSet<>();
        only.add(device);
        KernelManager.instance().setPreferredDevices(kernel, only);
    }

    K kernel() {
        return kernel;
    }

    /** Translates and builds the kernel for the device once; a failure is an error, never a Java-thread fallback. */
    void compile() {
        if (compiled) {
            return;
        }
        try {
            kernel.compile(device);
        } catch (CompileFailedException | RuntimeException e) {
            throw new OpenClException("OpenCL kernel " + name + " could not be built for " + device.getName().trim()
                    + ": " + e.getMessage().trim() + " (the OpenCL compiler's build log, when there is one, is printed"
                    + " on standard error just before this; this backend never falls back to Java threads)", e);
        }
        compiled = true;
    }

    void resetCounters() {
        toDevice = 0;
        toHost = 0;
        launches = 0;
    }

    /** Launches {@code items} work-items (rounded up to whole groups of {@code group}). */
    void launch(int items, int group) {
        compile();
        int global = (items + group - 1) / group * group;
        kernel.execute(Range.create(device, global, group));
        launches++;
        everLaunched = true;
        if (!kernel.isRunningCL() || kernel.getTargetDevice() != device) {
            Device target = kernel.getTargetDevice();
            throw new OpenClException("OpenCL kernel " + name + " did not run on " + device.getName().trim() + " but on "
                    + (target == null ? "no device" : target.getShortDescription())
                    + " (Aparapi fell back); refusing to return results computed elsewhere");
        }
    }

    /**
     * Makes the contents of {@code now}, just stored into a kernel field that held {@code was}, current on
     * the device: a newly referenced array is copied by Aparapi at the next launch, a re-used one is put.
     */
    void upload(float[] was, float[] now) {
        if (shared) {
            return;
        }
        if (was == now) {
            kernel.put(now);
        }
        toDevice += 4L * now.length;
    }

    /**
     * {@code owned} when it already has {@code n} floats, else a new array (device buffers follow arrays),
     * to be stored in the field that held {@code was}; counted as {@link #scratch} binds it.
     */
    float[] owned(float[] was, float[] owned, int n) {
        float[] array = OpenClBackend.sized(owned, n);
        scratch(was, array);
        return array;
    }

    /** Binds a device-only array: Aparapi copies it once when a field first refers to it. */
    void scratch(float[] was, float[] now) {
        if (!shared && was != now) {
            toDevice += 4L * now.length;
        }
    }

    void download(float[] array) {
        if (shared) {
            return;
        }
        kernel.get(array);
        toHost += 4L * array.length;
    }

    /** Bytes moved since {@link #resetCounters()}, for reports. */
    String traffic() {
        if (shared) {
            return "device shares host memory: nothing copied, " + launches + " launches";
        }
        return String.format(java.util.Locale.ROOT, "%s host->device, %s device->host, %d launches",
                bytes(toDevice), bytes(toHost), launches);
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return String.format(java.util.Locale.ROOT, "%.1f KiB", n / 1024.0);
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024.0));
    }

    /**
     * Releases the device resources. Aparapi 3.0.2's native dispose crashes the JVM (SIGSEGV in
     * {@code JNIContext::dispose}) for a kernel that was compiled but never launched, so such a kernel
     * is left to the process exit instead.
     */
    void dispose() {
        if (everLaunched || !compiled) {
            kernel.dispose();
        }
    }
}
