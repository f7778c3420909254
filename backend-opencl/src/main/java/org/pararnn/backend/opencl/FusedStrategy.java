package org.pararnn.backend.opencl;

import java.util.Locale;

/**
 * How the fused ParaGRU / ParaLSTM solvers run on the device: one work-item per feature walking all
 * steps ({@link #SEQUENTIAL}), Newton over time chunks ({@link #NEWTON}), or by shape ({@link #AUTO}).
 * {@code -Dpararnn.opencl.fused=sequential|newton|auto} forces one.
 */
enum FusedStrategy {
    AUTO, SEQUENTIAL, NEWTON;

    static final String PROPERTY = "pararnn.opencl.fused";

    static FusedStrategy configured() {
        String v = System.getProperty(PROPERTY);
        if (v == null || v.isBlank()) {
            return AUTO;
        }
        try {
            return valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + "='" + v + "' is not one of auto, sequential, newton");
        }
    }
}
