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
        register(new ConformanceCommand());
    }

    private void register(Command c) {
        commands.put(c.name(), c);
    }

    public static void main(String[] args) {
        System.exit(new Main().run(List.of(args), System.out, System.err));
    }

    int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || isHelp(args.get(0)) || args.get(0).equals("help")) {
            if (args.size() > 1 && commands.containsKey(args.get(1))) {
                out.print(commands.get(args.get(1)).usage());
            } else {
                out.print(usage());
            }
            return args.isEmpty() ? 2 : 0;
        }
        Command c = commands.get(args.get(0));
        if (c == null) {
            err.println("unknown command '" + args.get(0) + "'; commands: " + String.join(", ", commands.keySet())
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
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException
                 | org.pararnn.api.spi.BackendUnavailableException | org.pararnn.api.SolveFailedException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (com.google.inject.ProvisionException e) {
            // The wiring failed because a component could not be made: say what the component said.
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            err.println("error: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()));
            return 1;
        } catch (RuntimeException e) {
            err.println("error: " + e);
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
        sb.append("""

                Backends: -Dpararnn.backend=NAME (via JAVA_OPTS) or PARARNN_BACKEND=NAME forces one;
                extra jars (your own backends or cells) go in PARARNN_CLASSPATH.
                """);
        return sb.toString();
    }
}
