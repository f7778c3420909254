package org.pararnn.backend.cpu.blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * What the first processor says of itself in {@code /proc/cpuinfo} (vendor, family, feature flags): what
 * {@link OpenBlasCoreType} needs to know before OpenBLAS is loaded. {@link #UNKNOWN} off Linux or when the file
 * cannot be read.
 */
record CpuIdentity(String vendor, int family, Set<String> flags) {
    static final CpuIdentity UNKNOWN = new CpuIdentity("unknown", -1, Set.of());

    /** This machine's, read once per call. */
    static CpuIdentity read() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The first processor's block of a {@code /proc/cpuinfo} text; fields it lacks stay unknown. */
    static CpuIdentity parse(String cpuinfo) {
        String vendor = "unknown";
        int family = -1;
        Set<String> flags = Set.of();
        for (String line : cpuinfo.split("\n")) {
            if (line.isBlank()) {
                break; // the first processor's block ends here
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (key) {
                case "vendor_id" -> vendor = value;
                case "cpu family" -> {
                    try {
                        family = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        family = -1;
                    }
                }
                case "flags" -> flags = Set.of(value.isEmpty() ? new String[0] : value.split("\\s+"));
                default -> {
                }
            }
        }
        return new CpuIdentity(vendor, family, flags);
    }

    boolean hasAll(String... wanted) {
        for (String w : wanted) {
            if (!flags.contains(w)) {
                return false;
            }
        }
        return true;
    }
}
