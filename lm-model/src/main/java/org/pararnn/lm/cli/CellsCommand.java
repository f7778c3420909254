package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import org.pararnn.api.Cell;
import org.pararnn.api.check.CellCheck;
import org.pararnn.lm.model.CellKinds;

/**
 * {@code ./pararnn cells}: every cell {@code --cell} takes (the hand-written ones, the cell language's library,
 * and any a provider on the class path names), its structure, and its {@link CellCheck} against finite
 * differences at a small width, so a cell of your own is checked before it is trained.
 */
final class CellsCommand implements Command {
    /** The width the check builds each cell at: small, odd per head, and divisible by the heads. */
    private static final int WIDTH = 6;
    private static final int HEADS = 2;

    @Override
    public String name() {
        return "cells";
    }

    @Override
    public String summary() {
        return "list the cells --cell takes, with their Jacobian structure and a finite-difference check of each";
    }

    /** Its usage, declared as the other commands' are (it takes names, no options). */
    static final CliSpec SPEC = CliSpec.command("cells", "./pararnn cells [NAME ...]", """
            Lists every cell ./pararnn train --cell takes (or only the NAMEs given): the hand-written
            paragru and paralstm, the cell language's library, and cells named by a CellSpecProvider on
            the class path (add your jar with PARARNN_CLASSPATH=path/to/my-cells.jar). For each, its type,
            Jacobian structure and the result of CellCheck: f, the Jacobian entry by entry and every
            vector-Jacobian product against finite differences of its own step, at D = 6. Exits 1 if any
            cell disagrees, listing where.""");

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        List<String> names = args.isEmpty() ? CellKinds.names() : args;
        for (String n : names) {
            if (n.startsWith("--")) {
                throw new UsageException("cells: unknown option " + n + " (cells takes cell names only)");
            }
            try {
                CellKinds.require(n);
            } catch (IllegalArgumentException e) {
                throw new UsageException("cells: " + e.getMessage());
            }
        }
        int failed = 0;
        out.println(String.format(Locale.ROOT, "%-10s %-18s %-24s %s", "CELL", "TYPE", "STRUCTURE", "CHECK"));
        for (String n : names) {
            Cell cell = CellKinds.create(n, WIDTH, HEADS);
            CellKinds.initialize(cell, 1, 0.9f, 0f);
            CellCheck.Report r = CellCheck.verify(cell);
            out.println(String.format(Locale.ROOT, "%-10s %-18s %-24s %s", n, cell.type(), cell.jacobianStructure().describe(),
                    r.passed() ? String.format(Locale.ROOT, "ok (%d values, worst error %.1e)", r.compared(), r.worst())
                            : "FAILED: " + r.mismatches().size() + " of " + r.compared() + " values disagree"));
            if (!r.passed()) {
                failed++;
                err.println(r);
            }
        }
        return failed == 0 ? 0 : 1;
    }
}
