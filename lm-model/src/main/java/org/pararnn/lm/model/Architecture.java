package org.pararnn.lm.model;

/** How cells are stacked into a model. */
public enum Architecture {
    /**
     * The paper's language model: embedding → L × [ParaRNN block, gated-MLP block] → RMSNorm → tied head.
     */
    LM,
    /**
     * The cell alone: embedding + learned positions → one cell → linear head, as the paper's Keep-nth and
     * Parity experiments (no conv, norm or gate).
     */
    CELL,
    /**
     * One ParaRNN block alone: embedding → {@link RnnBlock} (norm, conv, cell, gate; no MLP) → RMSNorm → its own
     * linear head (no bias), as the paper's MQAR and k-hop experiments ("the full block").
     */
    BLOCK;

    public static Architecture parse(String s) {
        for (Architecture a : values()) {
            if (a.name().equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown architecture '" + s + "'; expected lm, cell or block");
    }
}
