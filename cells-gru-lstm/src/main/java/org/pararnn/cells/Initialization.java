package org.pararnn.cells;

/** Parameter initialisations of docs/design.md §2. */
public enum Initialization {
    /**
     * The reference code's default: {@code A} (and {@code C}) {@code ~ N(0, (2/√(5D))²)}, {@code B}
     * Xavier-uniform with {@code fan_in = N/H}, {@code fan_out = D}, {@code b = 0} except the
     * forget/update gate bias {@code = −linspace(0, 1, D)}.
     */
    REFERENCE,
    /**
     * The paper's language-model recipe: {@code B} Kaiming-uniform ({@code fan_in = N/H}), {@code A} and
     * {@code C} truncated Gaussian (±2σ) with {@code σ = 1/√D}, clipped to {@code |·| ≤ 0.5};
     * {@code b = 0}.
     */
    PAPER_LM
}
