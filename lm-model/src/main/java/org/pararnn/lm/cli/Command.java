package org.pararnn.lm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/** One {@code ./pararnn} subcommand. */
interface Command {
    String name();

    /** One line for the command list. */
    String summary();

    /** Its options, declared once: what it parses, its help and its completions are made from them. */
    CliSpec spec();

    /** Full help text, shown by {@code --help}, generated from {@link #spec()}. */
    default String usage() {
        return spec().usage();
    }

    /**
     * Runs with the arguments after the command name; returns the process exit code. Failures are
     * thrown with a message that a user can act on; {@link Main} prints it as one line.
     */
    int run(List<String> args, PrintStream out, PrintStream err) throws IOException;
}
