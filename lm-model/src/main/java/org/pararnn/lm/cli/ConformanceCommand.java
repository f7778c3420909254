package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Set;
import org.pararnn.conformance.ConformanceRunner;

/** {@code ./pararnn conformance}: qualify every backend on the class path (or one) in one command. */
final class ConformanceCommand implements Command {

    @Override
    public String name() {
        return "conformance";
    }

    @Override
    public String summary() {
        return "run the shared conformance suite on every backend found (or one) and print the results table";
    }

    @Override
    public String usage() {
        return """
                Usage: ./pararnn conformance [--backend NAME] [--verbose true]

                Runs the conformance suite (scans of every claimed structure forward and reverse, the
                built-in cells in every offered mode against float64 references, bad input, 8-thread
                concurrency, report honesty) on each backend on the class path, and prints
                backend x check -> pass / FAIL / skipped with the worst measured relative error.
                A backend that cannot run here is skipped with its probe's reason. Exit code 1 if any
                available backend fails a check. Add your own backend's jar with PARARNN_CLASSPATH.
                """;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Options o = new Options("conformance", args, Set.of("backend", "verbose"));
        return ConformanceRunner.run(o.get("backend"), Boolean.parseBoolean(o.get("verbose", "false")), out);
    }
}
