package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code ./pararnn} command line: dispatches to subcommands, each with its own {@code --help}. */
public final class Main {
    private final Map<String, Command> commands = new LinkedHashMap<>();

    Main() {
        register(new TrainCommand());
        register(new EvalCommand());
        register(new GenerateCommand());
        register(new BackendsCommand());
        register(new ApplyCommand());
        register(new CellsCommand());
        register(new NewtonCommand());
        register(new ReproduceCommand());
    }

    /**
     * Commands that the {@code ./pararnn} launcher runs from another module's jar, listed here so that the
     * help tells of them (the application itself carries no test engine).
     */
    static final Map<String, String> LAUNCHER_COMMANDS = Map.of(
            "conformance", "run the shared conformance suite on every backend found (or one) and print the results table",
            "bench", "measure every backend side by side and write a report (tables, plots, every run's time)");

    /** Where each launcher command runs from, for the error when one reaches this jar. */
    private static final Map<String, String> LAUNCHER_JARS = Map.of(
            "conformance", "the conformance module's jar (java -cp 'conformance-tests/target/conformance-tests.jar:"
                    + "conformance-tests/target/lib/*:lm-model/target/lib/*' org.pararnn.conformance.ConformanceMain)",
            "bench", "the benchmarks jar (java -cp bench/target/benchmarks.jar org.pararnn.bench.report.BenchMain)");

    private void register(Command c) {
        commands.put(c.name(), c);
    }

    public static void main(String[] args) {
        System.exit(new Main().run(List.of(args), System.out, System.err));
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || isHelp(args.get(0)) || args.get(0).equals("help")) {
            if (args.size() > 1 && LAUNCHER_COMMANDS.containsKey(args.get(1))) {
                out.println("./pararnn " + args.get(1) + " --help tells more.");
            } else if (args.size() > 1 && commands.containsKey(args.get(1))) {
                out.print(commands.get(args.get(1)).usage());
            } else {
                out.print(usage());
            }
            return args.isEmpty() ? 2 : 0;
        }
        Command c = commands.get(args.get(0));
        if (c == null && LAUNCHER_COMMANDS.containsKey(args.get(0))) {
            err.println("error: '" + args.get(0) + "' runs from " + LAUNCHER_JARS.get(args.get(0)) + ": use ./pararnn " + args.get(0));
            return 2;
        }
        if (c == null) {
            err.println("unknown command '" + args.get(0) + "'; commands: " + String.join(", ", commands.keySet()) + ", "
                    + String.join(", ", LAUNCHER_COMMANDS.keySet())
                    + " (./pararnn --help)");
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        if (rest.stream().anyMatch(Main::isHelp)) {
            out.print(c.usage());
            return 0;
        }
        try {
            return c.run(rest, out, err);
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            err.println("error: " + CliErrors.message(e));
            if (Boolean.getBoolean(CliErrors.DEBUG_PROPERTY)) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    private static boolean isHelp(String a) {
        return a.equals("--help") || a.equals("-h");
    }

    private String usage() {
        StringBuilder sb = new StringBuilder("""
                ParaRNN-J: nonlinear RNNs solved in parallel along the sequence.

                Usage: ./pararnn COMMAND [OPTIONS]    (./pararnn COMMAND --help for details)

                Commands:
                """);
        for (Command c : commands.values()) {
            sb.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        LAUNCHER_COMMANDS.forEach((name, summary) -> sb.append(String.format("  %-12s %s%n", name, summary)));
        sb.append("""

                Backends: -Dpararnn.backend=NAME (via JAVA_OPTS) or PARARNN_BACKEND=NAME forces one;
                extra jars (your own backends or cells) go in PARARNN_CLASSPATH.
                """);
        return sb.toString();
    }
}
