package org.pararnn.lm.train;

import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
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

    public static Evaluation run(LanguageModel model, BatchSource source, int sequences, int batchSize) {
        Rng rng = new Rng(HELD_OUT_SEED);
        Batch batch = new Batch(batchSize, source.steps());
        double ce = 0;
        long counted = 0;
        long correct = 0;
        int seqs = 0;
        int exact = 0;
        int done = 0;
        while (done < sequences) {
            source.heldOutBatch(rng, batch);
            Loss l = model.forward(batch.tokens, batch.targets, batch.batch, batch.steps);
            ce += l.crossEntropy() * l.counted();
            counted += l.counted();
            correct += l.correct();
            seqs += l.sequences();
            exact += l.exact();
            done += batch.batch;
        }
        return new Evaluation(counted == 0 ? 0 : ce / counted, counted == 0 ? 0 : (double) correct / counted,
                seqs == 0 ? 0 : (double) exact / seqs, done, counted);
    }
}
