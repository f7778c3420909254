package org.pararnn.lm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.pararnn.api.Mode;
import org.pararnn.lm.app.CheckpointModule;
import org.pararnn.lm.app.LoadedModel;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.app.SolverSettings;
import org.pararnn.lm.app.Showcase;
import org.pararnn.lm.data.TextCorpus;
import org.pararnn.lm.data.Vocabulary;
import org.pararnn.lm.tasks.SyntheticTask;
import org.pararnn.lm.train.Evaluation;

/** {@code ./pararnn eval}: held-out loss, bits per token, perplexity (and accuracy for tasks) of a checkpoint. */
final class EvalCommand implements Command {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String summary() {
        return "held-out loss, bits per byte/char, perplexity (accuracy for tasks) of a checkpoint";
    }

    /** The options, declared once. */
    static final CliSpec SPEC = CliSpec.command("eval",
            "./pararnn eval --checkpoint DIR [--sequences N] [--batch B] [--backend NAME] [--mode MODE]", """
            Evaluates a run directory's latest checkpoint (or a checkpoint directory) on the held-out
            part of its data: the contiguous last 10 % of a text corpus (N random windows, default 200),
            or N fresh held-out sequences of a task (default 1000), in whole batches of --batch (default:
            the run's), so N is rounded up to a multiple of it: 200 windows at batch 12 are 204, 1000
            sequences at batch 32 are 1024. Same fixed windows every time.""")
            .checkpointOption()
            .option("sequences", "N", "held-out windows or sequences (default 200 for text, 1000 for a task)")
            .option("batch", "B", "sequences per batch (default: the run's)")
            .backendOption()
            .modeOption();

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Options o = new Options(SPEC, args);
        SolverSettings settings = SolverSettings.of(o.get("backend"), o.parse("mode", "AUTO", Mode::parse));
        Path checkpoint = o.requirePath("checkpoint");
        // Checked before the checkpoint is read: a mistyped number is the command line's fault.
        int givenBatch = o.getInt("batch", 0);
        int givenSequences = o.getInt("sequences", 0);
        if (o.get("batch") != null && givenBatch < 1 || o.get("sequences") != null && givenSequences < 1) {
            throw new UsageException("eval: --batch and --sequences must be at least 1");
        }
        try (Session session = Session.open(settings, new CheckpointModule(checkpoint))) {
            LoadedModel m = session.get(LoadedModel.class);
            boolean task = m.source() instanceof SyntheticTask;
            int batch = givenBatch > 0 ? givenBatch : m.state().train() != null ? m.state().train().batch() : 16;
            int sequences = givenSequences > 0 ? givenSequences : task ? 1000 : 200;
            long t0 = System.nanoTime();
            Evaluation e = Evaluation.run(m.model(), m.source(), sequences, batch);
            double secs = (System.nanoTime() - t0) / 1e9;
            String unit = m.source() instanceof TextCorpus text
                    ? (text.vocabulary().kind() == Vocabulary.Kind.BYTE ? "byte" : "char") : "token";
            out.printf("checkpoint %s (step %d)%n", m.checkpoint(), m.state().step());
            out.printf("held-out loss %.4f nats/%s, %.4f bits/%s, perplexity %.3f over %d sequences, %,d predicted tokens (%.1f s)%n",
                    e.loss(), unit, e.bitsPerToken(), unit, e.perplexity(), e.sequences(), e.tokens(), secs);
            if (task) {
                out.printf("accuracy %.2f %%, exact match %.2f %%%n", 100 * e.accuracy(), 100 * e.exactMatch());
                Showcase.examples(m.model(), m.source(), 4, out);
            }
            return 0;
        }
    }
}
