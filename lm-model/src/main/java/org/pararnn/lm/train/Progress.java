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
    private final int total;
    private final int every;
    private final String ranks;
    private boolean open;

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

    /** Whether standard output is a terminal (the launcher tells: {@code -Dpararnn.tty=true}). */
    public static boolean stdoutIsTerminal() {
        return Boolean.getBoolean("pararnn.tty");
    }

    /** {@code solves}: what the step's cell solves did, shown as {@code seq} or {@code newton 3.2 it}. */
    public void step(int step, double loss, double tokensPerSecond, SolveActivity solves, double etaSeconds) {
        String stats = String.format("step %d/%d  loss %.4f  %,.0f tok/s%s  %s  ETA %s",
                step, total, loss, tokensPerSecond, ranks, solves.describe(), duration(etaSeconds));
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
