package org.pararnn.conformance;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code ./pararnn conformance [--backend NAME] [--verbose true]}: qualifies every backend on the class
 * path (or one) with the shared suite and prints the table. The launcher runs this class from this
 * module's jar, so the application module carries no test engine.
 */
public final class ConformanceMain {
    static final String USAGE = """
            Usage: ./pararnn conformance [--backend NAME] [--verbose true]

            Runs the conformance suite (scans of every claimed structure forward and reverse, the
            built-in cells in every offered mode against float64 references, bad input, 8-thread
            concurrency, report honesty) on each backend on the class path, and prints
            backend x check -> pass / FAIL / skipped with the worst measured relative error.
            A backend that cannot run here is skipped with its probe's reason. Exit code 1 if any
            available backend fails a check, 2 for bad options. Add your own backend's jar with
            PARARNN_CLASSPATH.
            """;

    private ConformanceMain() {
    }

    public static void main(String[] args) {
        System.exit(run(List.of(args), System.out, System.err));
    }

    static int run(List<String> args, PrintStream out, PrintStream err) {
        String backend = null;
        boolean verbose = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--help") || a.equals("-h")) {
                out.print(USAGE);
                return 0;
            }
            String value = i + 1 < args.size() ? args.get(i + 1) : null;
            switch (a) {
                case "--backend" -> backend = value;
                case "--verbose" -> verbose = Boolean.parseBoolean(value);
                default -> {
                    err.println("error: conformance: unknown option '" + a + "'; options: --backend NAME, --verbose true");
                    return 2;
                }
            }
            if (value == null || value.startsWith("--")) {
                err.println("error: conformance: " + a + " needs a value");
                return 2;
            }
            i++;
        }
        return ConformanceRunner.run(backend, verbose, out);
    }
}
