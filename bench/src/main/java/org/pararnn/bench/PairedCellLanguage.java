package org.pararnn.bench;

import java.util.Locale;
import java.util.Random;
import org.pararnn.api.Cell;
import org.pararnn.api.ForwardPass;
import org.pararnn.api.Mode;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.Tensor;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.cells.ParaCell;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.cells.lang.CellLibrary;
import org.pararnn.cells.lang.ExpressionCell;

/**
 * A cell written in the cell language against the same cell written by hand (same weights), forward and
 * backward on {@code cpu} in {@code SEQUENTIAL} and generic {@code PARALLEL}, side by side in one JVM: blocks
 * alternate (ABBA) and the ratio of block medians is taken per pair ({@link PairedTiming}), so a shared
 * machine's drift cancels.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.pararnn.bench.PairedCellLanguage [pairs]
 * </pre>
 */
public final class PairedCellLanguage {
    private static final int BATCH = 4;
    private static final int STEPS = 1024;
    private static final int WIDTH = 64;
    private static final int HEADS = 2;
    private static final int PER = 4;

    private PairedCellLanguage() {
    }

    public static void main(String[] args) {
        int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (Backend cpu = Backends.fromEnvironment().forcing("cpu", "PairedCellLanguage").choose()) {
            for (String name : new String[] {"paragru", "paralstm"}) {
                ParaCell hand = name.equals("paragru") ? ParaGRU.create(WIDTH, WIDTH, HEADS, 3) : ParaLSTM.create(WIDTH, WIDTH, HEADS, 3);
                ExpressionCell lang = CellLibrary.all().get(name).cell(WIDTH, WIDTH, HEADS, 1);
                for (Tensor t : hand.parameters()) {
                    Tensor into = lang.parameters().stream().filter(p -> p.name().equals(t.name())).findFirst().orElseThrow();
                    System.arraycopy(t.data(), 0, into.data(), 0, t.size());
                }
                float[] x = new float[BATCH * STEPS * WIDTH];
                Random r = new Random(1);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                float[] gy = new float[BATCH * STEPS * hand.outputWidth()];
                java.util.Arrays.fill(gy, 1e-3f);
                for (Mode mode : new Mode[] {Mode.SEQUENTIAL, Mode.PARALLEL}) {
                    RnnSolver solver = RnnSolver.on(cpu).mode(mode);
                    Runnable a = () -> solve(solver, lang, x, gy);
                    Runnable b = () -> solve(solver, hand, x, gy);
                    for (int w = 0; w < 10; w++) {
                        a.run();
                        b.run();
                    }
                    PairedTiming.Result t = PairedTiming.measure(a, b, pairs, PER);
                    System.out.printf(Locale.ROOT, "%s %s forward+backward (B=%d, T=%d, D=%d): language %.2f ms, hand-written %.2f ms;"
                                    + " paired language / hand: median %.3f (quartiles %.3f, %.3f; %d pairs of %d)%n",
                            name, mode, BATCH, STEPS, WIDTH, t.medianA(), t.medianB(), t.ratioMedian(), t.ratioQ1(), t.ratioQ3(), pairs,
                            PER);
                }
            }
        }
    }

    private static void solve(RnnSolver solver, Cell cell, float[] x, float[] gy) {
        ForwardPass f = solver.forward(cell, x, BATCH, STEPS);
        solver.backward(f, gy);
    }
}
