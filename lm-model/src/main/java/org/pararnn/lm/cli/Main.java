package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code ./pararnn} command line: dispatches to subcommands, each with its own {@code --help}. */
public final class Main {
    private final Map<String, Command> commands = new LinkedHashMap<>();
    private final Startup startup;

    /** As this JVM was started ({@link Startup#fromSystem()}). */
    Main() {
        this(Startup.fromSystem());
    }

    Main(Startup startup) {
        this.startup = startup;
        register(new TrainCommand(startup.terminal()));
        register(new EvalCommand());
        register(new GenerateCommand());
        register(new BackendsCommand());
        register(new ApplyCommand());
        register(new CellsCommand());
        register(new NewtonCommand());
        register(new ReproduceCommand(startup.terminal()));
    }

    /**
     * Commands that the {@code ./pararnn} launcher runs from another module's jar, listed here so that the
     * help tells of them (the application itself carries no test engine).
     */
    static final Map<String, String> LAUNCHER_COMMANDS = ordered(
            "conformance", "run the shared conformance suite on every backend found (or one) and print the results table",
            "bench", "measure every backend side by side and write a report (tables, plots, every run's time)",
            "test", "build and run every test of the project (mvn verify; needs Maven)",
            "build", "build the jars (mvn package, tests skipped; done on first use and after source changes)");

    /** Where each launcher command runs from, for the error when one reaches this jar. */
    private static final Map<String, String> LAUNCHER_JARS = ordered(
            "conformance", "runs from the conformance module's jar (java -cp 'conformance-tests/target/conformance-tests.jar:"
                    + "conformance-tests/target/lib/*:lm-model/target/lib/*' org.pararnn.conformance.ConformanceMain)",
            "bench", "runs from the benchmarks jar (java -cp bench/target/benchmarks.jar org.pararnn.bench.report.BenchMain)",
            "test", "is the launcher's (it runs Maven in the source tree)",
            "build", "is the launcher's (it runs Maven in the source tree)");

    /** One-line log records ({@code WARNING: message}); a format the user set wins. */
    static final String LOG_FORMAT = "%4$s: %5$s%6$s%n";

    private static Map<String, String> ordered(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The commands this jar runs, in the order the help lists them. */
    java.util.Collection<Command> commands() {
        return java.util.Collections.unmodifiableCollection(commands.values());
    }

    private void register(Command c) {
        commands.put(c.name(), c);
    }

    public static void main(String[] args) {
        // Before anything logs: java.util.logging reads the format once. The launcher passes the same; a JVM started
        // by hand gets it too.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", LOG_FORMAT);
        }
        // The loss plot draws off screen: never reach for a display (the launcher passes the same).
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(new Main().run(List.of(args), System.out, System.err));
    }

    /** This build's version ({@code ./pararnn --version}), from the jar's resources. */
    static String version() {
        try (var in = Main.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "unknown (no version.properties in the build)";
            }
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (java.io.IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        if (!args.isEmpty() && (args.get(0).equals("--version") || args.get(0).equals("-V") || args.get(0).equals("version"))) {
            out.println("ParaRNN-J " + version() + " (Java " + Runtime.version() + ", " + System.getProperty("java.vm.name")
                    + ", " + System.getProperty("os.arch") + ")");
            return 0;
        }
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
            err.println("error: '" + args.get(0) + "' " + LAUNCHER_JARS.get(args.get(0)) + ": use ./pararnn " + args.get(0));
            return 2;
        }
        if (c == null) {
            List<String> all = new java.util.ArrayList<>(commands.keySet());
            all.addAll(LAUNCHER_COMMANDS.keySet());
            String hint = Suggest.closest(args.get(0).replaceFirst("^-+", ""), all).map(s -> "; did you mean '" + s + "'?")
                    .orElse("");
            err.println("error: unknown command '" + args.get(0) + "'" + hint + " (commands: " + String.join(", ", all)
                    + "; ./pararnn --help)");
            return 2;
        }
        List<String> rest = args.subList(1, args.size());
        if (rest.stream().anyMatch(Main::isHelp)) {
            out.print(c.usage());
            return 0;
        }
        try {
            return c.run(rest, out, err);
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            err.println("error: " + CliErrors.message(e));
            if (startup.debug()) {
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
                       ./pararnn --version

                Commands:
                """);
        for (Command c : commands.values()) {
            sb.append(String.format("  %-12s %s%n", c.name(), c.summary()));
        }
        LAUNCHER_COMMANDS.forEach((name, summary) -> sb.append(String.format("  %-12s %s%n", name, summary)));
        sb.append("""

                Backends: -Dpararnn.backend=NAME (via JAVA_OPTS) or PARARNN_BACKEND=NAME forces one;
                extra jars (your own backends or cells) go in PARARNN_CLASSPATH.
                Exit status: 0 done, 1 the run failed (the line after "error:" says why), 2 the command line
                is wrong (unknown command or option, bad value), 130 interrupted (Ctrl-C).
                """);
        return sb.toString();
    }
}
