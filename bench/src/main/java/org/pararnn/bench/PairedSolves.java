package org.pararnn.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.solve.NewtonSolver;
import org.pararnn.api.solve.SequentialSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaGRU;

/**
 * Two ways of solving the same ParaGRU forward recurrence, timed side by side in one JVM: blocks of
 * solves alternate between them (ABBA order), and the ratio of the two block medians is taken per pair
 * of blocks. On a shared machine whose speed drifts by tens of percent between seconds, separate JMH
 * forks measure the drift as much as the code; a paired ratio cancels it, since both sides of every pair
 * run within a fraction of a second of each other on the same compiled code. Use it for ratios (is AUTO
 * within 10 % of the better strategy, how much faster is Newton in time), JMH for absolute times.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.pararnn.bench.PairedSolves \
 *      [--backend cpu] [--pairs 40] [--per 15] SHAPE:A:B ...
 * </pre>
 * {@code SHAPE} is {@code T:B·D} as in {@link GruRecurrenceBenchmark}; {@code A}, {@code B} are
 * {@code FUSED_SEQUENTIAL}, {@code FUSED_NEWTON}, {@code AUTO}, {@code PARALLEL} or {@code floor} (the
 * {@link MemoryFloor}, so {@code floor/FUSED_SEQUENTIAL} is the fraction of the floor reached). Prints, per
 * comparison, each side's median and minimum time and the quartiles of the paired ratio A/B.
 */
public final class PairedSolves {
    private PairedSolves() {
    }

    public static void main(String[] args) {
        String backend = "cpu";
        int pairs = 40;
        int per = 15;
        List<String> comparisons = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = args[++i];
                case "--pairs" -> pairs = Integer.parseInt(args[++i]);
                case "--per" -> per = Integer.parseInt(args[++i]);
                default -> comparisons.add(args[i]);
            }
        }
        if (comparisons.isEmpty()) {
            throw new IllegalArgumentException("give at least one comparison SHAPE:A:B, e.g. 65536:1:FUSED_SEQUENTIAL:FUSED_NEWTON");
        }
        try (Backend engine = Backends.fromEnvironment().forcing(backend, "PairedSolves --backend").choose()) {
            for (String c : comparisons) {
                String[] parts = c.split(":");
                int steps;
                int lanes;
                try {
                    steps = Integer.parseInt(parts[0]);
                    lanes = Integer.parseInt(parts.length > 1 ? parts[1] : "");
                } catch (NumberFormatException e) {
                    steps = -1;
                    lanes = -1;
                }
                if (parts.length != 4 || steps < 1 || lanes < 1 || (lanes > 8 && lanes % 64 != 0)) {
                    throw new IllegalArgumentException("comparison '" + c + "': expected T:B·D:A:B with T >= 1 and"
                            + " B·D in 1..8 or a multiple of 64, e.g. 65536:1:FUSED_SEQUENTIAL:FUSED_NEWTON");
                }
                System.out.println(compare(engine, steps, lanes, parts[2], parts[3], pairs, per));
            }
        }
    }

    /**
     * One solver per mode, as {@link GruRecurrenceBenchmark} makes them: the fused ones with the strategy the
     * mode names ({@link Backend#fused(org.pararnn.api.Cell, FusedStrategy)}); AUTO follows the backend's own
     * choice for the shape.
     */
    private static RecurrenceSolver solver(Backend engine, ParaGRU cell, String mode, int batch, int steps) {
        FusedStrategy strategy = switch (mode) {
            case "FUSED_SEQUENTIAL" -> FusedStrategy.SEQUENTIAL;
            case "FUSED_NEWTON" -> FusedStrategy.NEWTON;
            case "AUTO", "PARALLEL" -> FusedStrategy.AUTO;
            default -> throw new IllegalArgumentException("mode " + mode + ": FUSED_SEQUENTIAL, FUSED_NEWTON, AUTO or PARALLEL");
        };
        if (mode.equals("PARALLEL")) {
            return new NewtonSolver(engine);
        }
        if (mode.equals("AUTO")) {
            return engine.autoChoice(cell, batch, steps)
                    .map(c -> c.mode() == Mode.FUSED ? engine.fused(cell, strategy).orElseThrow()
                            : (RecurrenceSolver) new NewtonSolver(engine))
                    .orElseGet(() -> new SequentialSolver(engine.name(), engine.loop()));
        }
        return engine.fused(cell, strategy).orElseThrow(() -> new IllegalStateException(engine.name() + " has no fused ParaGRU"));
    }

    static String compare(Backend engine, int steps, int lanes, String modeA, String modeB, int pairs, int per) {
        int width = lanes <= 8 ? lanes : 64;
        int batch = lanes / width;
        ParaGRU cell = ParaGRU.create(8, width, 1, 7);
        float[] u = new float[batch * steps * 3 * width];
        Random r = new Random(1);
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) r.nextGaussian();
        }
        Recurrence problem = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        float[] states = new float[batch * steps * width];
        String[] modes = {modeA, modeB};
        Runnable[] sides = new Runnable[2];
        String[] details = new String[2];
        for (int side = 0; side < 2; side++) {
            int k = side;
            if (modes[side].equals("floor")) {
                sides[side] = () -> MemoryFloor.stream(u, states, batch * steps, width, 1);
                details[side] = "memory floor: 16 B per element-step streamed on all cores";
            } else {
                RecurrenceSolver s = solver(engine, cell, modes[side], batch, steps);
                sides[side] = () -> details[k] = s.forward(problem, states).detail();
            }
        }
        // Warm-up: each side for about two seconds.
        for (Runnable side : sides) {
            long until = System.nanoTime() + 2_000_000_000L;
            do {
                side.run();
            } while (System.nanoTime() < until);
        }
        PairedTiming.Result t = PairedTiming.measure(sides[0], sides[1], pairs, per);
        return String.format(Locale.ROOT,
                "%d:%d  %s median %.3f ms (min %.3f)  |  %s median %.3f ms (min %.3f)  |  paired %s/%s: median %.3f"
                        + " (quartiles %.3f, %.3f; %d pairs of %d solves)%n    A: %s%n    B: %s",
                steps, lanes, modeA, t.medianA(), t.minA(), modeB, t.medianB(), t.minB(), modeA, modeB,
                t.ratioMedian(), t.ratioQ1(), t.ratioQ3(), pairs, per, details[0], details[1]);
    }
}
