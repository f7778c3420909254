package org.pararnn.backend.opencl;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.pararnn.api.spi.BackendOptions;
import org.pararnn.api.spi.SignalChaining;

/**
 * Finds the OpenCL device to run on: the first GPU, else the first accelerator, else the first CPU
 * device (PoCL), unless the option {@link #DEVICE} ({@code -Dpararnn.opencl.device} or
 * {@code PARARNN_OPENCL_DEVICE}) names one by a case-insensitive substring of its name. Never throws: a machine without a usable device gets
 * a {@link Choice} that says why.
 */
final class OpenClDevices {
    /** The device wanted, by a part of its name; unset: the best one found. */
    static final BackendOptions.Key<String> DEVICE = BackendOptions.Key.text("pararnn.opencl.device", "PARARNN_OPENCL_DEVICE");
    /** Whether Aparapi's own log lines are shown (default off: this backend reports its device itself). */
    static final BackendOptions.Key<Boolean> VERBOSE = BackendOptions.Key.flag("pararnn.opencl.verbose", false);

    /** Aparapi's loggers, held so the levels set here stick (JUL keeps loggers weakly). */
    private static final List<Logger> QUIETED = new ArrayList<>();

    private OpenClDevices() {
    }

    /** A device with what the probe reports, or the reason there is none. */
    record Choice(OpenCLDevice device, Device.TYPE type, String reason, Map<String, String> details) {
        boolean usable() {
            return device != null;
        }

        boolean accelerator() {
            return type == Device.TYPE.GPU || type == Device.TYPE.ACC;
        }

        String describe() {
            return device.getName().trim() + " (" + type + ", " + device.getMaxComputeUnits() + " compute units, "
                    + device.getOpenCLPlatform().getName().trim() + ")";
        }
    }

    /** The best device; none of Aparapi's log lines. */
    static Choice choose() {
        return choose(null, null, false);
    }

    /**
     * The device whose name contains {@code wanted} (null: the best one), {@code origin} naming where that
     * came from in the refusal; {@code verbose}: Aparapi's own log lines stay.
     */
    static Choice choose(String wanted, String origin, boolean verbose) {
        if (!verbose) {
            quietAparapi();
        }
        List<OpenCLDevice> all = new ArrayList<>();
        List<Device.TYPE> types = new ArrayList<>();
        try {
            for (Device.TYPE t : new Device.TYPE[] {Device.TYPE.GPU, Device.TYPE.ACC, Device.TYPE.CPU}) {
                for (OpenCLDevice d : OpenCLDevice.listDevices(t)) {
                    all.add(d);
                    types.add(t);
                }
            }
        } catch (Throwable e) {
            // UnsatisfiedLinkError when no libOpenCL.so.1 / ICD loader, or Aparapi's JNI library fails to load.
            return new Choice(null, null, "no OpenCL runtime could be loaded (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); install an OpenCL ICD, e.g. Debian's pocl-opencl-icd and ocl-icd-libopencl1",
                    Map.of());
        }
        if (all.isEmpty()) {
            return new Choice(null, null, "the OpenCL loader found no platform with a GPU, accelerator or CPU device;"
                    + " install an ICD such as pocl-opencl-icd (CPU) or a GPU vendor's driver", Map.of());
        }
        String source = origin == null ? DEVICE.name() : origin;
        int pick = 0;
        if (wanted != null && !wanted.isBlank()) {
            pick = -1;
            for (int i = 0; i < all.size(); i++) {
                if (all.get(i).getName().toLowerCase(Locale.ROOT).contains(wanted.trim().toLowerCase(Locale.ROOT))) {
                    pick = i;
                    break;
                }
            }
            if (pick < 0) {
                List<String> names = new ArrayList<>();
                for (OpenCLDevice d : all) {
                    names.add(d.getName().trim());
                }
                return new Choice(null, null, source + "='" + wanted + "' matches no OpenCL device; found " + names,
                        Map.of());
            }
        }
        OpenCLDevice d = all.get(pick);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("platform", d.getOpenCLPlatform().getName().trim());
        details.put("openclVersion", d.getOpenCLPlatform().getVersion().trim());
        details.put("device", d.getName().trim());
        details.put("type", types.get(pick).toString());
        details.put("computeUnits", Integer.toString(d.getMaxComputeUnits()));
        details.put("maxWorkGroupSize", Integer.toString(d.getMaxWorkGroupSize()));
        details.put("globalMemMiB", Long.toString(d.getGlobalMemSize() >> 20));
        details.put("localMemKiB", Long.toString(d.getLocalMemSize() >> 10));
        details.put("devicesFound", Integer.toString(all.size()));
        details.put("signalChaining", SignalChaining.describe(SignalChaining.state()));
        return new Choice(d, types.get(pick), null, details);
    }

    /**
     * Aparapi logs a warning for every class attribute it does not know (Java 11+ nest attributes), for
     * platforms it has not tested, and before each fallback; this backend reports its device itself and
     * turns a fallback into an error, so those lines are noise unless {@link #VERBOSE} asks for them.
     */
    private static synchronized void quietAparapi() {
        if (!QUIETED.isEmpty()) {
            return;
        }
        // Aparapi's Config sets its logger's level when the class initialises: initialise it first.
        String name = "com.aparapi";
        try {
            name = com.aparapi.Config.getLoggerName();
        } catch (Throwable e) {
            // An Aparapi without Config: quiet the package logger.
        }
        for (String n : new String[] {name, "com.aparapi"}) {
            Logger l = Logger.getLogger(n);
            l.setLevel(Level.SEVERE);
            QUIETED.add(l);
        }
    }
}
