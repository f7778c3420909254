package org.pararnn.conformance;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.api.JacobianStructure;

/**
 * One scan shape of the suite. Widths are deliberately not multiples of any SIMD length; T covers 1,
 * 2, a prime, and lengths far above any block or chunk size.
 */
public record ScanCase(JacobianStructure structure, int width, int batch, int steps) {

    /** Problems above this many coefficient floats are left out to keep the suite fast on 2 cores. */
    static final long MAX_COEFFICIENTS = 1L << 23;

    public static List<ScanCase> all() {
        List<ScanCase> out = new ArrayList<>();
        JacobianStructure[] structures = {JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
                JacobianStructure.blockDiagonal(3), JacobianStructure.dense()};
        int[] widths = {13, 26, 15, 7};
        for (int i = 0; i < structures.length; i++) {
            for (int steps : new int[] {1, 2, 97, 4096, 65_536}) {
                for (int batch : new int[] {1, 7}) {
                    long coeffs = (long) batch * steps * structures[i].coefficientsPerStep(widths[i]);
                    if (coeffs <= MAX_COEFFICIENTS) {
                        out.add(new ScanCase(structures[i], widths[i], batch, steps));
                    }
                }
            }
        }
        return out;
    }

    /** Contractive coefficients (every step's matrix has norm below one), so errors stay bounded. */
    public float[] coefficients(long seed) {
        float[] a = KitData.gaussian(batch * steps * structure.coefficientsPerStep(width), 1, seed);
        double scale = switch (structure) {
            case JacobianStructure.Dense d -> 0.45 / Math.sqrt(width);
            case JacobianStructure.BlockDiagonal bd -> 0.45 / bd.blocks();
            case JacobianStructure.Diagonal d -> 0.45;
        };
        for (int i = 0; i < a.length; i++) {
            a[i] *= (float) scale;
        }
        return a;
    }

    /**
     * Coefficients within 3 % of ±1 on the block diagonal (either sign) and couplings of at most ~1 % off
     * it: transfer products over hundreds of steps stay far from zero.
     */
    public static float[] persistent(JacobianStructure st, int batch, int steps, int width, long seed) {
        int kb = switch (st) {
            case JacobianStructure.Diagonal d -> 1;
            case JacobianStructure.BlockDiagonal bd -> bd.blocks();
            case JacobianStructure.Dense d -> width;
        };
        int m = width / kb;
        float[] a = KitData.gaussian(batch * steps * st.coefficientsPerStep(width), 1, seed);
        int per = kb * kb * m;
        for (int i = 0; i < a.length; i++) {
            int e = (i % per) / m;
            boolean onDiagonal = e / kb == e % kb;
            a[i] = onDiagonal ? Math.copySign(0.97f + 0.03f * (float) Math.abs(Math.tanh(a[i])) - 1e-4f, a[i])
                    : 0.01f * a[i] / kb;
        }
        return a;
    }

    @Override
    public String toString() {
        return structure.describe() + " S=" + width + " B=" + batch + " T=" + steps;
    }
}
