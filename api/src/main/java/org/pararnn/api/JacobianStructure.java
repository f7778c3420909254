package org.pararnn.api;

/**
 * The sparsity of a cell's state Jacobian {@code J_t = ∂f/∂h (h_{t-1}, u_t)}; it decides what a
 * linear-recurrence step costs and how coefficients are laid out (docs/design.md §1, §4).
 *
 * <p>For a state of width {@code S} the coefficients of one step are stored contiguously:
 * <ul>
 *   <li>{@link Diagonal}: {@code S} floats, {@code J = diag(a)}.</li>
 *   <li>{@link BlockDiagonal}: the state is {@code k} blocks of width {@code m = S/k} ({@code [k][m]}),
 *       and feature {@code p} of every block is coupled only with feature {@code p} of the others, so a
 *       step is {@code m} small {@code k×k} matrices stored as {@code [k][k][m]}:
 *       {@code (J h)[i·m+p] = Σ_j a[(i·k+j)·m+p] · h[j·m+p]}.</li>
 *   <li>{@link Dense}: {@code S·S} floats, row-major {@code [S][S]}: {@code (J h)[r] = Σ_c a[r·S+c] h[c]}.</li>
 * </ul>
 * The multiply methods here define those semantics once; every scan, in any backend, must agree with them.
 */
public sealed interface JacobianStructure
        permits JacobianStructure.Diagonal, JacobianStructure.BlockDiagonal, JacobianStructure.Dense {

    static Diagonal diagonal() {
        return Diagonal.INSTANCE;
    }

    static BlockDiagonal blockDiagonal(int blocks) {
        return new BlockDiagonal(blocks);
    }

    static Dense dense() {
        return Dense.INSTANCE;
    }

    /** Floats of Jacobian coefficients per time step for a state of width {@code stateWidth}. */
    int coefficientsPerStep(int stateWidth);

    /** Throws {@link IllegalArgumentException} when {@code stateWidth} cannot carry this structure. */
    default void checkStateWidth(int stateWidth) {
        if (stateWidth <= 0) {
            throw new IllegalArgumentException("state width must be positive, got " + stateWidth);
        }
    }

    /** {@code out = J · h}; {@code out} must not overlap {@code h}. */
    void multiply(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int stateWidth);

    /** {@code out = Jᵀ · h}; {@code out} must not overlap {@code h}. */
    void multiplyTransposed(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int stateWidth);

    /**
     * {@code out = A · P} for two coefficient blocks of this structure (the product stays in the same
     * structure and layout): how chunked and tree scans compose steps. {@code out} must not overlap.
     */
    void compose(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int stateWidth);

    /** {@code out = Aᵀ · P}, the composition used by reverse (adjoint) scans. {@code out} must not overlap. */
    void composeTransposed(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int stateWidth);

    /** Writes the identity in this structure's layout. */
    void identity(float[] out, int outOff, int stateWidth);

    /**
     * Copies the diagonal of {@code J} (one value per state index) into {@code out}: what quasi-Newton
     * ("quasi-DEER") keeps of the Jacobian.
     */
    void extractDiagonal(float[] a, int aOff, float[] out, int outOff, int stateWidth);

    /** Short human name, e.g. {@code diagonal}, {@code block-diagonal(2)}, {@code dense}. */
    String describe();

    /** {@code J = diag(a)}: a scan step costs {@code O(S)}. ParaGRU. */
    record Diagonal() implements JacobianStructure {
        static final Diagonal INSTANCE = new Diagonal();

        @Override
        public int coefficientsPerStep(int stateWidth) {
            return stateWidth;
        }

        @Override
        public void multiply(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int s) {
            for (int i = 0; i < s; i++) {
                out[outOff + i] = a[aOff + i] * h[hOff + i];
            }
        }

        @Override
        public void multiplyTransposed(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int s) {
            multiply(a, aOff, h, hOff, out, outOff, s);
        }

        @Override
        public void extractDiagonal(float[] a, int aOff, float[] out, int outOff, int s) {
            System.arraycopy(a, aOff, out, outOff, s);
        }

        @Override
        public void compose(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int s) {
            multiply(a, aOff, p, pOff, out, outOff, s);
        }

        @Override
        public void composeTransposed(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int s) {
            multiply(a, aOff, p, pOff, out, outOff, s);
        }

        @Override
        public void identity(float[] out, int outOff, int s) {
            java.util.Arrays.fill(out, outOff, outOff + s, 1f);
        }

        @Override
        public String describe() {
            return "diagonal";
        }
    }

    /** {@code k} blocks coupled feature-wise by {@code k×k} matrices: {@code O(S·k)} per step. ParaLSTM is {@code k = 2}. */
    record BlockDiagonal(int blocks) implements JacobianStructure {
        public BlockDiagonal {
            if (blocks < 1) {
                throw new IllegalArgumentException("block-diagonal structure needs at least 1 block, got " + blocks);
            }
        }

        @Override
        public int coefficientsPerStep(int stateWidth) {
            return blocks * stateWidth;
        }

        @Override
        public void checkStateWidth(int stateWidth) {
            JacobianStructure.super.checkStateWidth(stateWidth);
            if (stateWidth % blocks != 0) {
                throw new IllegalArgumentException("state width " + stateWidth + " is not a multiple of the "
                        + blocks + " blocks of " + describe());
            }
        }

        @Override
        public void multiply(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int s) {
            int k = blocks;
            int m = s / k;
            for (int i = 0; i < k; i++) {
                for (int p = 0; p < m; p++) {
                    float acc = 0f;
                    for (int j = 0; j < k; j++) {
                        acc += a[aOff + (i * k + j) * m + p] * h[hOff + j * m + p];
                    }
                    out[outOff + i * m + p] = acc;
                }
            }
        }

        @Override
        public void multiplyTransposed(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int s) {
            int k = blocks;
            int m = s / k;
            for (int j = 0; j < k; j++) {
                for (int p = 0; p < m; p++) {
                    float acc = 0f;
                    for (int i = 0; i < k; i++) {
                        acc += a[aOff + (i * k + j) * m + p] * h[hOff + i * m + p];
                    }
                    out[outOff + j * m + p] = acc;
                }
            }
        }

        @Override
        public void compose(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int s) {
            int k = blocks;
            int m = s / k;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int o = outOff + (i * k + j) * m;
                    for (int q = 0; q < m; q++) {
                        float acc = 0f;
                        for (int l = 0; l < k; l++) {
                            acc += a[aOff + (i * k + l) * m + q] * p[pOff + (l * k + j) * m + q];
                        }
                        out[o + q] = acc;
                    }
                }
            }
        }

        @Override
        public void composeTransposed(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int s) {
            int k = blocks;
            int m = s / k;
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    int o = outOff + (i * k + j) * m;
                    for (int q = 0; q < m; q++) {
                        float acc = 0f;
                        for (int l = 0; l < k; l++) {
                            acc += a[aOff + (l * k + i) * m + q] * p[pOff + (l * k + j) * m + q];
                        }
                        out[o + q] = acc;
                    }
                }
            }
        }

        @Override
        public void identity(float[] out, int outOff, int s) {
            int m = s / blocks;
            java.util.Arrays.fill(out, outOff, outOff + blocks * s, 0f);
            for (int i = 0; i < blocks; i++) {
                java.util.Arrays.fill(out, outOff + (i * blocks + i) * m, outOff + (i * blocks + i + 1) * m, 1f);
            }
        }

        @Override
        public void extractDiagonal(float[] a, int aOff, float[] out, int outOff, int s) {
            int m = s / blocks;
            for (int i = 0; i < blocks; i++) {
                System.arraycopy(a, aOff + (i * blocks + i) * m, out, outOff + i * m, m);
            }
        }

        @Override
        public String describe() {
            return "block-diagonal(" + blocks + ")";
        }
    }

    /** A full {@code S×S} matrix per step: {@code O(S²)} per step. Only for small states. */
    record Dense() implements JacobianStructure {
        static final Dense INSTANCE = new Dense();

        @Override
        public int coefficientsPerStep(int stateWidth) {
            return Math.multiplyExact(stateWidth, stateWidth);
        }

        @Override
        public void multiply(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int s) {
            for (int r = 0; r < s; r++) {
                float acc = 0f;
                int row = aOff + r * s;
                for (int c = 0; c < s; c++) {
                    acc += a[row + c] * h[hOff + c];
                }
                out[outOff + r] = acc;
            }
        }

        @Override
        public void multiplyTransposed(float[] a, int aOff, float[] h, int hOff, float[] out, int outOff, int s) {
            for (int c = 0; c < s; c++) {
                out[outOff + c] = 0f;
            }
            for (int r = 0; r < s; r++) {
                float hr = h[hOff + r];
                int row = aOff + r * s;
                for (int c = 0; c < s; c++) {
                    out[outOff + c] += a[row + c] * hr;
                }
            }
        }

        @Override
        public void extractDiagonal(float[] a, int aOff, float[] out, int outOff, int s) {
            for (int r = 0; r < s; r++) {
                out[outOff + r] = a[aOff + r * s + r];
            }
        }

        @Override
        public void compose(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int s) {
            java.util.Arrays.fill(out, outOff, outOff + s * s, 0f);
            for (int r = 0; r < s; r++) {
                for (int l = 0; l < s; l++) {
                    float v = a[aOff + r * s + l];
                    int pr = pOff + l * s;
                    int or = outOff + r * s;
                    for (int c = 0; c < s; c++) {
                        out[or + c] += v * p[pr + c];
                    }
                }
            }
        }

        @Override
        public void composeTransposed(float[] a, int aOff, float[] p, int pOff, float[] out, int outOff, int s) {
            java.util.Arrays.fill(out, outOff, outOff + s * s, 0f);
            for (int l = 0; l < s; l++) {
                for (int r = 0; r < s; r++) {
                    float v = a[aOff + l * s + r];
                    int pr = pOff + l * s;
                    int or = outOff + r * s;
                    for (int c = 0; c < s; c++) {
                        out[or + c] += v * p[pr + c];
                    }
                }
            }
        }

        @Override
        public void identity(float[] out, int outOff, int s) {
            java.util.Arrays.fill(out, outOff, outOff + s * s, 0f);
            for (int r = 0; r < s; r++) {
                out[outOff + r * s + r] = 1f;
            }
        }

        @Override
        public String describe() {
            return "dense";
        }
    }
}
