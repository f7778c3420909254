package org.pararnn.lm.model;

/**
 * The outcome of one forward pass with targets.
 *
 * @param total        the optimised objective: mean cross-entropy plus the z-loss term
 * @param crossEntropy mean cross-entropy in nats over the counted positions
 * @param counted      positions with a target (others carry −1 and are ignored)
 * @param correct      counted positions whose arg-max prediction equals the target
 * @param sequences    batch elements with at least one counted position
 * @param exact        of those, the ones with every counted position right (exact match)
 */
public record Loss(double total, double crossEntropy, int counted, int correct, int sequences, int exact) {
}
