package org.pararnn.lm.train;

import java.io.PrintStream;
import org.pararnn.lm.model.SolveActivity;

/**
 * The live progress line: on a terminal one line redrawn in place with a bar; otherwise (logs, CI) a
 * plain line about every 5 % of the run, so output stays readable when redirected.
 */
public final class Progress {
    private final PrintStream out;
    private final boolean terminal;
    private int total;
    private int every;
    private final String ranks;
    private boolean open;
    /** Steps this object has shown, and when and at which step the estimate's timing began. */
    private int shown;
    private long timedFrom;
    private int timedFromStep;
    /** Steps that pass before an ETA is shown: the first ones carry the JIT's warm-up and the solver's first choices. */
    static final int WARM_STEPS = 3;

    public Progress(PrintStream out, boolean terminal, int total) {
        this(out, terminal, total, 1);
    }

    /** With {@code ranks > 1} the line says so, and its tokens/s are the whole run's (every rank's). */
    public Progress(PrintStream out, boolean terminal, int total, int ranks) {
        this.ranks = ranks > 1 ? " (" + ranks + " ranks)" : "";
        this.out = out;
        this.terminal = terminal;
        this.total = total;
        this.every = Math.max(1, total / 20);
    }

    /**
     * Whether standard output is a terminal to redraw in place, given what the launcher says
     * ({@code -Dpararnn.tty=true}) and the environment. Never under an MPI launcher: Open MPI hands each rank a
     * pseudo-terminal even when {@code mpirun}'s own output goes to a file, so a redrawn line would fill the log with
     * carriage returns and escape codes.
     */
    public static boolean stdoutIsTerminal(boolean launcherSaysTerminal, java.util.Map<String, String> env) {
        for (String v : MPI_RANK_VARIABLES) {
            if (env.containsKey(v)) {
                return false;
            }
        }
        return launcherSaysTerminal;
    }

    /** What an MPI launcher sets in each rank's environment (Open MPI, PMIx, MPICH/Hydra, Slurm's PMI). */
    static final java.util.List<String> MPI_RANK_VARIABLES = java.util.List.of("OMPI_COMM_WORLD_SIZE", "PMIX_RANK",
            "PMI_RANK", "PMI_SIZE");

    /**
     * {@code solves}: what the step's cell solves did, shown as {@code seq} or {@code newton 3.2 it}. The time left is
     * estimated from the steps after the first {@link #WARM_STEPS}, and not shown before (the first steps are slow for
     * reasons that pass: the JIT, the solver's first choices).
     */
    public void step(int step, double loss, double tokensPerSecond, SolveActivity solves) {
        long now = System.nanoTime();
        shown++;
        String eta;
        if (shown <= WARM_STEPS) {
            if (shown == WARM_STEPS) {
                timedFrom = now;
                timedFromStep = step;
            }
            eta = "--";
        } else {
            eta = duration((total - step) * ((now - timedFrom) / 1e9) / (step - timedFromStep));
        }
        String stats = String.format("step %d/%d  loss %.4f  %,.0f tok/s%s  %s  ETA %s",
                step, total, loss, tokensPerSecond, ranks, solves.describe(), eta);
        if (terminal) {
            int width = 24;
            int filled = (int) Math.round(width * (double) step / total);
            out.print("\r[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + stats + "\u001b[K");
            out.flush();
            open = true;
        } else if (step % every == 0 || step == total || step == 1) {
            out.println(stats);
        }
    }

    /** The run was planned again to {@code total} steps: the bar, the plain lines' spacing and the ETA follow. */
    public void total(int total) {
        this.total = total;
        this.every = Math.max(1, total / 20);
    }

    /** A line that must not be overwritten (evaluations, checkpoints, warnings). */
    public void line(String text) {
        if (open) {
            out.println();
            open = false;
        }
        out.println(text);
    }

    public void finish() {
        if (open) {
            out.println();
            open = false;
        }
    }

    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
