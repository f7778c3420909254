package org.pararnn.lm.reproduce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.tasks.KHop;

class DistanceBreakdownTest {
    /**
     * 1-hop over "a b c d e f g a": the last a's answer is b, 6 steps back (range 6-10); the other steps have none.
     * A second sequence, uncounted, must change nothing.
     */
    @Test
    void countsEachTargetInTheRangeOfItsDistance() {
        KHop task = new KHop(8, 1, 7);
        Batch b = new Batch(2, 8);
        int[] seq = {0, 1, 2, 3, 4, 5, 6, 0};
        System.arraycopy(seq, 0, b.tokens, 0, 8);
        System.arraycopy(seq, 0, b.tokens, 8, 8);
        java.util.Arrays.fill(b.targets, -1);
        b.targets[7] = 1;
        b.targets[15] = 1;
        int[] predictions = new int[16];
        predictions[7] = 1;
        DistanceBreakdown right = new DistanceBreakdown(task);
        right.evaluated(b, 1, predictions);
        List<DistanceBreakdown.Range> r = right.ranges();
        assertEquals(new DistanceBreakdown.Range(6, 10, 1, 1), r.get(1));
        assertEquals(0, r.get(0).targets() + r.get(2).targets() + r.get(3).targets());
        assertEquals("21+", r.get(3).label());
        predictions[7] = 2;
        DistanceBreakdown wrong = new DistanceBreakdown(task);
        wrong.evaluated(b, 1, predictions);
        assertEquals(0.0, wrong.ranges().get(1).accuracy());
    }
}
