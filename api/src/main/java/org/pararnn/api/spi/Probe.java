package org.pararnn.api.spi;

import java.util.Map;

/**
 * The answer to "can this backend run here?": available with a device description and details
 * (threads, SIMD width, compute units...), or unavailable with a human reason such as
 * "no libcuda.so.1" or "kernels not compiled: nvcc was not found at build time".
 */
public record Probe(boolean available, String device, String reason, Map<String, String> details) {

    public Probe {
        details = details == null ? Map.of() : Map.copyOf(details);
        if (available && device == null) {
            throw new IllegalArgumentException("an available backend must describe its device");
        }
        if (!available && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("an unavailable backend must say why");
        }
    }

    public static Probe available(String device, Map<String, String> details) {
        return new Probe(true, device, null, details);
    }

    public static Probe available(String device) {
        return available(device, Map.of());
    }

    public static Probe unavailable(String reason) {
        return new Probe(false, null, reason, Map.of());
    }
}
