package org.pararnn.lm.reproduce;

import java.util.ArrayList;
import java.util.List;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.tasks.KHop;
import org.pararnn.lm.train.Evaluation;

/**
 * A k-hop test evaluation's accuracy by how far back each answer lies ({@link KHop#answerDistances}): where a one-layer
 * model stops following hops, its errors start (docs/design.md §2, "Table 6").
 */
public final class DistanceBreakdown implements Evaluation.Observer {
    /** Upper ends of the distance ranges: 0–5, 6–10, 11–20, 21 and more. */
    private static final int[] UPPER = {5, 10, 20, Integer.MAX_VALUE};

    /** One range of distances: its targets and those predicted right. */
    public record Range(int from, int to, long targets, long correct) {
        public double accuracy() {
            return targets == 0 ? 0 : 100.0 * correct / targets;
        }

        /** The range in words: "0-5", "21+". */
        public String label() {
            return to == Integer.MAX_VALUE ? from + "+" : from + "-" + to;
        }
    }

    private final KHop task;
    private final long[] targets = new long[UPPER.length];
    private final long[] correct = new long[UPPER.length];
    private int[] distances = new int[0];

    public DistanceBreakdown(KHop task) {
        this.task = task;
    }

    @Override
    public void evaluated(Batch batch, int sequences, int[] predictions) {
        if (distances.length != batch.steps) {
            distances = new int[batch.steps];
        }
        for (int r = 0; r < sequences; r++) {
            int off = r * batch.steps;
            task.answerDistances(batch.tokens, off, distances);
            for (int t = 0; t < batch.steps; t++) {
                int target = batch.targets[off + t];
                if (target < 0) {
                    continue;
                }
                int d = distances[t];
                if (d < 0) {
                    throw new IllegalStateException("a target at step " + t + " whose hops find no answer");
                }
                int k = 0;
                while (d > UPPER[k]) {
                    k++;
                }
                targets[k]++;
                if (predictions[off + t] == target) {
                    correct[k]++;
                }
            }
        }
    }

    public List<Range> ranges() {
        List<Range> l = new ArrayList<>();
        for (int k = 0; k < UPPER.length; k++) {
            l.add(new Range(k == 0 ? 0 : UPPER[k - 1] + 1, UPPER[k], targets[k], correct[k]));
        }
        return l;
    }
}
