package org.pararnn.lm.model;

/**
 * What a block carries from one call to the next when a sequence arrives in pieces: the last
 * {@code k−1} inputs of the causal convolution and the cell's state. O(1) in the sequence length.
 */
public final class LayerState {
    final float[] convHistory;
    final float[] cellState;

    LayerState(float[] convHistory, float[] cellState) {
        this.convHistory = convHistory;
        this.cellState = cellState;
    }

    static final LayerState NONE = new LayerState(null, null);
}
