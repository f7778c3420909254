package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.List;

/** One {@code ./pararnn} subcommand. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Full help text, shown by {@code --help}. */
    String usage();

    /** Runs with the arguments after the command name; returns the process exit code. */
    int run(List<String> args, PrintStream out, PrintStream err);
}
