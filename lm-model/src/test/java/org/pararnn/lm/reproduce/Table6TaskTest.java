package org.pararnn.lm.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pararnn.lm.model.Footprint;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.tasks.SyntheticTask;

class Table6TaskTest {
    /** The paper's models: our parameter counts within 5 % of the table's (most within 1 %). */
    @Test
    void parameterCountsMatchThePapersTable() {
        for (Table6Task t : Table6Task.values()) {
            for (String cell : new String[] {"paragru", "paralstm"}) {
                ModelConfig c = t.model(cell, 1);
                long ours = new LanguageModel(c).parameterCount();
                assertEquals(Footprint.parameterCount(c), ours);
                int paper = t.paperParameters(cell);
                double off = Math.abs(ours - paper) / (double) paper;
                assertTrue(off <= 0.05, t.id() + " " + cell + ": " + ours + " parameters vs the paper's " + paper);
            }
        }
    }

    @Test
    void tasksAreThePapersDefinitions() {
        for (Table6Task t : Table6Task.values()) {
            SyntheticTask task = t.task();
            assertEquals(100, task.steps(), t.id());
            assertEquals(t.id(), task.name());
        }
        assertEquals(128, Table6Task.KEEP_NTH.task().vocab());
        assertEquals(5, ((Number) Table6Task.KEEP_NTH.task().describe().get("n")).intValue());
        assertEquals(2, Table6Task.PARITY.task().vocab());
        assertEquals(128, Table6Task.MQAR.task().vocab());
        assertEquals(2, ((Number) Table6Task.MQAR.task().describe().get("pairs")).intValue());
        assertEquals(10, Table6Task.ONE_HOP.task().vocab());
        assertEquals(5, Table6Task.TWO_HOP.task().vocab());
        assertTrue(!Table6Task.PARITY.clipped() && Table6Task.MQAR.clipped(), "A and C are clipped except for parity");
    }
}
