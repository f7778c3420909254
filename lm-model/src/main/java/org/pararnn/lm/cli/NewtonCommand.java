package org.pararnn.lm.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.pararnn.api.Cell;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.spi.Backend;
import org.pararnn.lm.app.Session;
import org.pararnn.lm.app.SolverSettings;
import org.pararnn.cells.lang.HardCells;
import org.pararnn.lm.model.CellKinds;

/**
 * {@code ./pararnn newton}: iterations to tolerance of DEER, quasi-DEER, ELK and quasi-ELK per cell, side by side,
 * on the library's cells and on two where Newton struggles (docs/design.md §1, "ELK"). Each solve gets a budget of
 * {@code T} iterations and reports instead of falling back, so the table shows what each method does on its own.
 */
final class NewtonCommand implements Command {
    static final List<String> METHODS = List.of("DEER", "quasi-DEER", "ELK", "quasi-ELK");

    @Override
    public String name() {
        return "newton";
    }

    @Override
    public String summary() {
        return "iterations of DEER, quasi-DEER, ELK and quasi-ELK per cell, on easy and hard cells";
    }

    /** The options, declared once. */
    static final CliSpec SPEC = CliSpec.command("newton",
            "./pararnn newton [--steps T] [--batch B] [--width D] [--backend NAME] [--cells a,b,...]", """
            Solves each cell forward with Newton over the sequence four ways (DEER; quasi-DEER: diagonal
            of the Jacobian only; ELK: Levenberg-Marquardt steps as Kalman smoothers, from lambda = 1;
            quasi-ELK) and prints the iterations each needed to reach the tolerance (1e-6), or why it
            stopped, with its time. Every method gets a budget of T iterations and no sequential fallback.""")
            .option("steps", "T", "sequence length, and each method's iteration budget (default 1024)")
            .option("batch", "B", "sequences (default 4)")
            .option("width", "D", "state width, even (default 16)")
            .backendOption()
            .option("cells", "a,b,...", """
                    paragru, paralstm, gru (dense), rotation (2x2), and three hard ones: hard.tanh-gain2 and
                    hard.tanh-gain3 (dense tanh RNNs with recurrent gain 2 and 3) and hard.chaotic (a chaotic
                    map per feature) (default all)""");

    @Override
    public CliSpec spec() {
        return SPEC;
    }

    @Override
    public int run(List<String> args, PrintStream out, PrintStream err) {
        Options o = new Options(SPEC, args);
        int steps = o.getInt("steps", 1024);
        int batch = o.getInt("batch", 4);
        int width = o.getInt("width", 16);
        if (steps < 2 || batch < 1 || width < 2 || width % 2 != 0) {
            throw new UsageException("newton: needs --steps >= 2, --batch >= 1 and an even --width >= 2; got "
                    + steps + ", " + batch + ", " + width);
        }
        Map<String, Cell> cells = cells(width);
        List<String> names = o.get("cells") == null ? new ArrayList<>(cells.keySet()) : List.of(o.get("cells").split(","));
        for (String n : names) {
            if (!cells.containsKey(n)) {
                throw new UsageException("newton: no cell '" + n + "' here; choose from " + cells.keySet());
            }
        }
        try (Session session = Session.open(SolverSettings.of(o.get("backend"), Mode.PARALLEL))) {
            Backend backend = session.get(Backend.class);
            out.println(String.format(Locale.ROOT, "backend %s; B = %d, T = %d, D = %d; tolerance 1e-6; budget %d iterations",
                    backend.name(), batch, steps, width, steps));
            StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-16s %-18s", "CELL", "STRUCTURE"));
            for (String m : METHODS) {
                head.append(String.format(Locale.ROOT, " %-24s", m));
            }
            out.println(head.toString().stripTrailing());
            for (String n : names) {
                Cell cell = cells.get(n);
                float[] x = gaussian(batch * steps * cell.inputWidth(), 11);
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-16s %-18s", n, cell.jacobianStructure().describe()));
                for (String m : METHODS) {
                    NewtonOptions opts = options(m, steps);
                    SolveReport r = RnnSolver.on(backend).mode(Mode.PARALLEL).newton(opts).forward(cell, x, batch, steps).report();
                    row.append(String.format(Locale.ROOT, " %-24s", cellText(r)));
                }
                out.println(row.toString().stripTrailing());
            }
        }
        return 0;
    }

    static NewtonOptions options(String method, int steps) {
        NewtonOptions o = NewtonOptions.defaults().withMaxIterations(steps).withOnFailure(NewtonOptions.OnFailure.REPORT)
                .withQuasi(method.startsWith("quasi-"));
        return method.endsWith("ELK") ? o.withElk(1f) : o;
    }

    /** {@code 5 (12 ms)} when converged; otherwise why it stopped and where, e.g. {@code overflow@1}. */
    static String cellText(SolveReport r) {
        long ms = Math.round(r.nanos() / 1e6);
        if (r.converged()) {
            return r.iterations() + " (" + ms + " ms)";
        }
        String why = r.outcome() == null ? "failed" : r.outcome().label();
        return why + "@" + r.iterations() + " (" + ms + " ms)";
    }

    static Map<String, Cell> cells(int width) {
        Map<String, Cell> m = new LinkedHashMap<>();
        for (String n : List.of("paragru", "paralstm", "gru", "rotation")) {
            Cell c = CellKinds.create(n, width, 2);
            CellKinds.initialize(c, 1, 0.9f, 0f);
            m.put(n, c);
        }
        m.put("hard.tanh-gain2", HardCells.unstableTanh(width, width, 2.0, 3));
        m.put("hard.tanh-gain3", HardCells.unstableTanh(width, width, 3.0, 3));
        m.put("hard.chaotic", HardCells.chaoticMap(width, width, 8.0, 3));
        return m;
    }

    private static float[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            double z;
            do {
                z = rnd.nextGaussian();
            } while (Math.abs(z) > 3);
            x[i] = (float) z;
        }
        return x;
    }
}
