package org.pararnn.api.spi;

import java.util.Locale;

/**
 * How a backend's fused cell solver runs in time: {@link #SEQUENTIAL} (one walk along the steps, parallel
 * over batch × features), {@link #NEWTON} (Newton over time chunks), or {@link #AUTO} (the backend decides
 * by shape and says why in the report). A backend's default is its option {@link #key(String)}
 * ({@code -Dpararnn.cpu.fused}, {@code -Dpararnn.opencl.fused}, {@code -Dpararnn.cuda.fused}), fixed when it is
 * made; {@link Backend#fused(org.pararnn.api.Cell, FusedStrategy)} asks for one strategy per solver, so that a
 * benchmark can put both side by side on one backend.
 */
public enum FusedStrategy {
    AUTO, SEQUENTIAL, NEWTON;

    /** The option {@code pararnn.BACKEND.fused} (AUTO when unset): backend {@code backend}'s default strategy. */
    public static BackendOptions.Key<FusedStrategy> key(String backend) {
        return BackendOptions.Key.choice("pararnn." + backend + ".fused", FusedStrategy.class, AUTO);
    }

    /** Lower case, as the option takes it. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
