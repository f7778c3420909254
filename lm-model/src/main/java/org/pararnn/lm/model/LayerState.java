package org.pararnn.lm.model;

import org.pararnn.api.ops.DeviceArray;

/**
 * What a block carries from one call to the next when a sequence arrives in pieces: the last
 * {@code k−1} inputs of the causal convolution (on the backend's ops) and the cell's state (a Java array,
 * as the recurrence solvers take it). O(1) in the sequence length.
 */
public final class LayerState {
    final DeviceArray convHistory;
    final float[] cellState;

    LayerState(DeviceArray convHistory, float[] cellState) {
        this.convHistory = convHistory;
        this.cellState = cellState;
    }

    static final LayerState NONE = new LayerState(null, null);
}
