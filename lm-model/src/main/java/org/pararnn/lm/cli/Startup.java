package org.pararnn.lm.cli;

import org.pararnn.lm.train.Progress;

/**
 * What the command line takes from how the JVM was started, read once by {@link Main}: whether standard output is
 * a terminal to redraw progress on (the launcher's {@code -Dpararnn.tty}, never under an MPI launcher), and whether
 * a failure prints its stack trace ({@code -Dpararnn.debug=true}). The backends' settings are read the same way, once,
 * into {@link org.pararnn.api.spi.BackendOptions}.
 */
record Startup(boolean terminal, boolean debug) {

    static Startup fromSystem() {
        return new Startup(Progress.stdoutIsTerminal(Boolean.getBoolean("pararnn.tty"), System.getenv()),
                Boolean.getBoolean(CliErrors.DEBUG_PROPERTY));
    }
}
