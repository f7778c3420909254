package org.pararnn.cells;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The retention bias pushes each cell's state-keeping gate towards keeping: z down for ParaGRU, f up for ParaLSTM. */
class RetentionBiasTest {

    @Test
    void gruLowersTheUpdateGateAndLstmRaisesTheForgetGate() {
        int d = 5;
        ParaCell gru = ParaGRU.create(4, d, 1, 3).retentionBias(4f);
        ParaCell lstm = ParaLSTM.create(4, d, 1, 3).retentionBias(4f);
        float[] gb = gru.parameter("b").data();
        float[] lb = lstm.parameter("b").data();
        for (int j = 0; j < d; j++) {
            assertEquals(-4f * j / (d - 1), gb[j], 0f, "ParaGRU z bias of feature " + j);
            assertEquals(4f * j / (d - 1), lb[j], 0f, "ParaLSTM f bias of feature " + j);
        }
        // The other gates are left alone.
        ParaCell plain = ParaGRU.create(4, d, 1, 3);
        for (int j = d; j < gb.length; j++) {
            assertEquals(plain.parameter("b").data()[j], gb[j], 0f);
        }
        assertThrows(IllegalArgumentException.class, () -> gru.retentionBias(-1f));
        assertThrows(IllegalArgumentException.class, () -> gru.retentionBias(Float.NaN));
    }
}
