package org.pararnn.lm.train;

import java.util.List;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.dist.Collective;
import org.pararnn.lm.nn.Parameter;

/**
 * What the ranks of a data-parallel run share each step (docs/design.md §2, "Data parallel"): nothing for a run alone
 * ({@link #alone}); over MPI ({@link #across}) every rank draws the same global batch and keeps its rows, and the
 * gradients and the step's numbers are summed across ranks, in the same order on every rank.
 */
interface RankExchange {

    /** Fills {@code local} with this rank's rows of the step's next batch. */
    void draw(BatchSource source, Rng rng, Batch local);

    /** The step's numbers after the exchange, and what it cost. */
    record Step(double loss, int correct, int counted, int ranks, double seconds, long bytes) {
    }

    /** Sums the gradients (and the loss, counts) over the ranks; the loss becomes the ranks' mean. */
    Step exchange(List<Parameter> params, double loss, int correct, int counted);

    static RankExchange alone() {
        return new RankExchange() {
            @Override
            public void draw(BatchSource source, Rng rng, Batch local) {
                source.trainBatch(rng, local);
            }

            @Override
            public Step exchange(List<Parameter> params, double loss, int correct, int counted) {
                return new Step(loss, correct, counted, 1, 0, 0);
            }
        };
    }

    /** {@code world}'s ranks, each training on {@code perRank} rows of a global batch of {@code size × perRank}. */
    static RankExchange across(Collective world, int perRank, int steps) {
        return new RankExchange() {
            private final Batch global = new Batch(perRank * world.size(), steps);
            private float[] flat;

            @Override
            public void draw(BatchSource source, Rng rng, Batch local) {
                source.trainBatch(rng, global);
                int n = local.tokens.length;
                System.arraycopy(global.tokens, world.rank() * n, local.tokens, 0, n);
                System.arraycopy(global.targets, world.rank() * n, local.targets, 0, n);
            }

            /**
             * Every parameter's gradient gathered into one buffer (downloaded where the ops keep them on a device),
             * one all-reduce, and put back; the same order on every rank.
             */
            @Override
            public Step exchange(List<Parameter> params, double loss, int correct, int counted) {
                double[] stats = {loss, correct, counted};
                long t0 = System.nanoTime();
                int total = 0;
                for (Parameter p : params) {
                    total += p.value().size();
                }
                if (flat == null || flat.length != total) {
                    flat = new float[total];
                }
                int off = 0;
                for (Parameter p : params) {
                    p.ops().download(p.gradArray(), 0, flat, off, p.value().size());
                    off += p.value().size();
                }
                world.sum(flat, total);
                off = 0;
                for (Parameter p : params) {
                    p.ops().upload(flat, off, p.gradArray(), 0, p.value().size());
                    off += p.value().size();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                world.sum(stats);
                return new Step(stats[0] / world.size(), (int) stats[1], (int) stats[2], world.size(), seconds, 4L * total);
            }
        };
    }
}
