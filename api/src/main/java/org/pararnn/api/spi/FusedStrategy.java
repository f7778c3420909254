package org.pararnn.api.spi;

import java.util.Locale;

/**
 * How a backend's fused cell solver runs in time: {@link #SEQUENTIAL} (one walk along the steps, parallel
 * over batch × features), {@link #NEWTON} (Newton over time chunks), or {@link #AUTO} (the backend decides
 * by shape and says why in the report). Each backend reads its own system property
 * ({@code -Dpararnn.cpu.fused}, {@code -Dpararnn.opencl.fused}) so that benchmarks can measure both
 * strategies at one shape.
 */
public enum FusedStrategy {
    AUTO, SEQUENTIAL, NEWTON;

    /** The strategy {@code -Dproperty} names (AUTO when unset); a value that names none is an error that says so. */
    public static FusedStrategy configured(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            return AUTO;
        }
        for (FusedStrategy s : values()) {
            if (s.name().equalsIgnoreCase(v.trim())) {
                return s;
            }
        }
        throw new IllegalArgumentException("-D" + property + "='" + v + "' is not one of auto, sequential, newton");
    }

    /** Lower case, as the property takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
