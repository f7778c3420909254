package org.pararnn.lm.app;

import java.io.PrintStream;
import org.pararnn.lm.data.Batch;
import org.pararnn.lm.data.BatchSource;
import org.pararnn.lm.data.Rng;
import org.pararnn.lm.data.TextCorpus;
import org.pararnn.lm.model.Generator;
import org.pararnn.lm.model.LanguageModel;

/** What a person looks at after a run: solved held-out examples of a task, or a text sample. */
public final class Showcase {
    private Showcase() {
    }

    /** Prints {@code count} held-out sequences with the model's answers at every predicted position. */
    public static void examples(LanguageModel model, BatchSource task, int count, PrintStream out) {
        Rng rng = new Rng(0xE4A3L);
        Batch b = new Batch(count, task.steps());
        task.heldOutBatch(rng, b);
        model.forward(b.tokens, b.targets, b.batch, b.steps);
        float[] logits = model.logits();
        int v = model.config().vocab();
        for (int s = 0; s < count; s++) {
            int off = s * b.steps;
            StringBuilder want = new StringBuilder();
            StringBuilder got = new StringBuilder();
            boolean ok = true;
            for (int t = 0; t < b.steps; t++) {
                int target = b.targets[off + t];
                if (target < 0) {
                    continue;
                }
                int arg = 0;
                for (int j = 1; j < v; j++) {
                    if (logits[(off + t) * v + j] > logits[(off + t) * v + arg]) {
                        arg = j;
                    }
                }
                want.append(task.render(new int[] {target}, 0, 1));
                got.append(task.render(new int[] {arg}, 0, 1));
                ok &= arg == target;
            }
            out.printf("  %s  input %s%n      expected %s  model %s%n", ok ? "✓" : "✗",
                    task.render(b.tokens, off, off + b.steps), want, got);
        }
    }

    /** Prints a sample continuing a held-out prompt. */
    public static void sample(LanguageModel model, TextCorpus text, int tokens, PrintStream out) {
        Rng rng = new Rng(0xE4A3L);
        Batch b = new Batch(1, Math.min(24, text.steps()));
        text.heldOutBatch(rng, b);
        int[] gen = new Generator(model, 7, 0.8f, 0).generate(b.tokens, tokens);
        out.println("sample (temperature 0.8) after the held-out prompt \"" + text.render(b.tokens, 0, b.steps) + "\":");
        out.println(text.render(b.tokens, 0, b.steps) + text.render(gen, 0, gen.length));
    }
}
