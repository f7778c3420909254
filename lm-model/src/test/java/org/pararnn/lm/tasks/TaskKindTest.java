package org.pararnn.lm.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pararnn.lm.data.Sources;

/** The one list of tasks: each is defined, described by a checkpoint and rebuilt from that description alike. */
class TaskKindTest {
    @Test
    void everyTaskRoundTripsThroughItsDescription() throws Exception {
        assertEquals(List.of("keep-nth", "parity", "mqar", "1-hop", "2-hop"), TaskKind.names());
        for (TaskKind kind : TaskKind.values()) {
            for (boolean every : kind == TaskKind.PARITY ? List.of(false, true) : List.of(false)) {
                SyntheticTask task = kind.define(24, every);
                Map<String, Object> d = task.describe();
                assertEquals(kind.id(), d.get("task"), d.toString());
                assertEquals(d, kind.fromDescription(d).describe(), kind.id());
                assertEquals(d, ((SyntheticTask) Sources.fromDescription(d)).describe(), kind.id() + " through the data layer");
                assertEquals(d, SyntheticTask.define(kind.id(), 24, every).describe());
            }
            assertTrue(kind.defaults().steps() > 0 && kind.defaults().lr() > 0, kind.id());
        }
        assertEquals("keep-nth", TaskKind.find("keep-nth").orElseThrow().id());
        var e = assertThrows(IllegalArgumentException.class, () -> TaskKind.named("3-hop"));
        assertTrue(e.getMessage().contains("tasks: keep-nth, parity, mqar, 1-hop, 2-hop"), e.getMessage());
        var every = assertThrows(IllegalArgumentException.class, () -> TaskKind.MQAR.define(24, true));
        assertTrue(every.getMessage().contains("parity only"), every.getMessage());
    }
}
