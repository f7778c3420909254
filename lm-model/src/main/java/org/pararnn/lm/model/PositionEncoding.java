package org.pararnn.lm.model;

/** How the cell-only model's positions enter the stream (added to the token embedding). */
public enum PositionEncoding {
    /** One trained vector per position. */
    LEARNED,
    /**
     * Fixed sinusoids of geometrically spaced wavelengths (the Transformer's encoding; no parameters), as the
     * paper's Keep-nth model adds.
     */
    SINUSOIDAL;

    public static PositionEncoding parse(String s) {
        for (PositionEncoding p : values()) {
            if (p.name().equalsIgnoreCase(s)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown position encoding '" + s + "'; expected learned or sinusoidal");
    }

    /**
     * The encoding of positions {@code [0, positions)} in width {@code dim}: row {@code t} holds
     * {@code sin(t·ω_i)} in column {@code 2i} and {@code cos(t·ω_i)} in column {@code 2i+1}, {@code ω_i = 10000^(−2i/dim)}.
     */
    public static float[] sinusoids(int positions, int dim) {
        float[] pe = new float[Math.multiplyExact(positions, dim)];
        for (int t = 0; t < positions; t++) {
            for (int c = 0; c < dim; c++) {
                int i = c / 2;
                double w = Math.pow(10000.0, -2.0 * i / dim);
                pe[t * dim + c] = (float) (c % 2 == 0 ? Math.sin(t * w) : Math.cos(t * w));
            }
        }
        return pe;
    }
}
