package org.pararnn.lm.train;

import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.FixedHeldOut;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.Loss;

/**
 * Held-out metrics over a fixed set of sequences (the same ones every time: drawn from a fixed seed),
 * so evaluations during and after training are comparable.
 *
 * @param loss       mean cross-entropy in nats per predicted token
 * @param accuracy   arg-max accuracy over predicted tokens
 * @param exactMatch sequences with every predicted token right, over sequences with a prediction
 * @param sequences  sequences evaluated
 * @param tokens     predicted tokens evaluated
 */
public record Evaluation(double loss, double accuracy, double exactMatch, int sequences, long tokens) {
    public static final long HELD_OUT_SEED = 0x5EEDL;

    public double bitsPerToken() {
        return loss / Math.log(2);
    }

    public double perplexity() {
        return Math.exp(loss);
    }

    /**
     * {@code sequences} held-out sequences of {@code source}: drawn from {@link #HELD_OUT_SEED}, or, for a source with a
     * fixed held-out set, its first {@code sequences} (all of them at most), in order.
     */
    public static Evaluation run(LanguageModel model, BatchSource source, int sequences, int batchSize) {
        if (source instanceof FixedHeldOut fixed) {
            return over(model, Math.min(sequences, fixed.heldOutCount()), batchSize, source.steps(), fixed::heldOutBatchAt);
        }
        Rng rng = new Rng(HELD_OUT_SEED);
        Batch batch = new Batch(batchSize, source.steps());
        Tally tally = new Tally();
        while (tally.sequences < sequences) {
            source.heldOutBatch(rng, batch);
            tally.add(model.forward(batch.tokens, batch.targets, batch.batch, batch.steps), batch.batch);
        }
        return tally.evaluation();
    }

    /** Fills a batch with sequences {@code [first, first + batch)} of a fixed set; returns how many are real. */
    @FunctionalInterface
    public interface Sequences {
        int batchAt(int first, Batch into);
    }

    /** Sees each evaluated batch with the model's predictions, for a breakdown of its own. */
    @FunctionalInterface
    public interface Observer {
        /**
         * @param batch       the batch just evaluated (targets −1 where nothing counts)
         * @param sequences   its real sequences, from the first
         * @param predictions {@code [B][T]} arg-max predictions (reused after the call)
         */
        void evaluated(Batch batch, int sequences, int[] predictions);
    }

    /** The first {@code count} sequences of a fixed set (every one of them exactly once), in batches of {@code batchSize}. */
    public static Evaluation over(LanguageModel model, int count, int batchSize, int steps, Sequences set) {
        return over(model, count, batchSize, steps, set, null);
    }

    /** As {@link #over(LanguageModel, int, int, int, Sequences)}, showing every batch to {@code observer} (if not null). */
    public static Evaluation over(LanguageModel model, int count, int batchSize, int steps, Sequences set, Observer observer) {
        Batch batch = new Batch(batchSize, steps);
        Tally tally = new Tally();
        while (tally.sequences < count) {
            int done = tally.sequences;
            int real = set.batchAt(done, batch);
            if (real <= 0) {
                throw new IllegalStateException("the fixed set ended after " + done + " of " + count + " sequences");
            }
            // Sequences past count in the last batch are dropped: their targets are cleared so they count for nothing.
            int keep = Math.min(real, count - done);
            java.util.Arrays.fill(batch.targets, keep * steps, batch.targets.length, -1);
            tally.add(model.forward(batch.tokens, batch.targets, batch.batch, batch.steps), keep);
            if (observer != null) {
                observer.evaluated(batch, keep, model.predictions());
            }
        }
        return tally.evaluation();
    }

    /** Sums of the batches' losses, counts and hits, into one evaluation. */
    private static final class Tally {
        double ce;
        long counted;
        long correct;
        int withTargets;
        int exact;
        int sequences;

        void add(Loss l, int evaluated) {
            ce += l.crossEntropy() * l.counted();
            counted += l.counted();
            correct += l.correct();
            withTargets += l.sequences();
            exact += l.exact();
            sequences += evaluated;
        }

        Evaluation evaluation() {
            return new Evaluation(counted == 0 ? 0 : ce / counted, counted == 0 ? 0 : (double) correct / counted,
                    withTargets == 0 ? 0 : (double) exact / withTargets, sequences, counted);
        }
    }
}
