package org.pararnn.backend.cpu;

import java.util.Locale;

/**
 * How the CPU's fused ParaGRU solver runs: {@code SEQUENTIAL} in time (parallel over batch × features),
 * {@code NEWTON} in time (fused Newton over time chunks), or {@code AUTO} by shape. Set with
 * {@code -Dpararnn.cpu.fused}; benchmarks use it to measure both strategies at the same shape.
 */
enum FusedStrategy {
    AUTO, SEQUENTIAL, NEWTON;

    static final String PROPERTY = "pararnn.cpu.fused";

    static FusedStrategy configured() {
        String v = System.getProperty(PROPERTY, "auto").trim();
        for (FusedStrategy s : values()) {
            if (s.name().equalsIgnoreCase(v)) {
                return s;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + " must be auto, sequential or newton, got '" + v + "'");
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
