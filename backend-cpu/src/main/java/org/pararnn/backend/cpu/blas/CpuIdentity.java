package org.pararnn.backend.cpu.blas;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The feature flags the first processor reports in {@code /proc/cpuinfo}: what {@link OpenBlasCoreType} needs to
 * know of the CPU. {@link #UNKNOWN} off Linux or when the file cannot be read.
 */
record CpuIdentity(Set<String> flags) {
    static final CpuIdentity UNKNOWN = new CpuIdentity(Set.of());

    /** This machine's, read once per call. */
    static CpuIdentity read() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The first processor's {@code flags} line of a {@code /proc/cpuinfo} text; none when it has none. */
    static CpuIdentity parse(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            if (line.isBlank()) {
                break; // the first processor's block ends here
            }
            int colon = line.indexOf(':');
            if (colon >= 0 && line.substring(0, colon).trim().equals("flags")) {
                String value = line.substring(colon + 1).trim();
                return new CpuIdentity(value.isEmpty() ? Set.of() : Set.of(value.split("\\s+")));
            }
        }
        return UNKNOWN;
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
