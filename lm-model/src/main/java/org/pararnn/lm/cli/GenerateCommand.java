package org.pararnn.lm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.pararnn.api.Mode;
import org.pararnn.lm.app.CheckpointModule;
import org.pararnn.lm.app.LoadedModel;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.app.SolverSettings;
import org.pararnn.lm.data.TextCorpus;
import org.pararnn.lm.model.Generator;

/** {@code ./pararnn generate}: samples text from a language-model checkpoint, one token at a time. */
final class GenerateCommand implements Command {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "sample text from a checkpoint, stepping the recurrence with O(1) state";
    }

    /** The options, declared once. */
    static final CliSpec SPEC = CliSpec.command("generate", """
            ./pararnn generate --checkpoint DIR --prompt TEXT [--tokens N] [--temperature T]
                                      [--top-k K] [--seed S] [--backend NAME]""", """
            Runs the prompt through the model as one sequence, then generates N tokens (default 200)
            one at a time, carrying only each layer's conv history and cell state. Temperature 0 is
            greedy; top-k 0 samples from all tokens. Prints the text and tokens/s.""")
            .checkpointOption()
            .option("prompt", "TEXT", "the text to continue")
            .option("tokens", "N", "tokens to generate (default 200)")
            .option("temperature", "T", "sampling temperature (default 0.8; 0: greedy)")
            .option("top-k", "K", "sample among the K likeliest tokens (default 0: all)")
            .option("seed", "S", "sampling seed (default 1)")
            .backendOption();

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        Options o = new Options(SPEC, args);
        SolverSettings settings = SolverSettings.of(o.get("backend"), Mode.AUTO);
        // Checked before the checkpoint is read: a mistyped number is the command line's fault.
        java.nio.file.Path checkpoint = o.requirePath("checkpoint");
        String prompt = o.require("prompt");
        int n = o.getInt("tokens", 200);
        if (n <= 0) {
            throw new UsageException("generate: --tokens must be positive, got " + n);
        }
        int seed = o.getInt("seed", 1);
        float temperature = (float) o.getDouble("temperature", 0.8);
        int topK = o.getInt("top-k", 0);
        try (Session session = Session.open(settings, new CheckpointModule(checkpoint))) {
            // One token at a time: AUTO solves T = 1 sequentially, which is exact and cheapest.
            LoadedModel m = session.get(LoadedModel.class);
            if (!(m.source() instanceof TextCorpus text)) {
                throw new IllegalArgumentException(m.checkpoint() + " was trained on a synthetic task; generate needs a "
                        + "language model trained with --data (use ./pararnn eval for tasks)");
            }
            int[] ids = text.vocabulary().encode(prompt);
            Generator g = new Generator(m.model(), seed, temperature, topK);
            long t0 = System.nanoTime();
            int[] gen = g.generate(ids, n);
            double secs = (System.nanoTime() - t0) / 1e9;
            out.println(prompt + text.render(gen, 0, gen.length));
            err.printf("%n%d tokens in %.2f s: %.0f tokens/s (prompt of %d included)%n", n, secs, n / secs, ids.length);
            return 0;
        }
    }
}
