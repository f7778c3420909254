package org.pararnn.bench.report;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.JacobianStructure;
import org.pararnn.api.Mode;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.RnnSolver;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonSolver;
import org.pararnn.api.solve.SequentialSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.LinearScan;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.api.spi.ScanProblem;
import org.pararnn.bench.MemoryFloor;
import org.pararnn.bench.PairedTiming;
import org.pararnn.cells.ParaGRU;
import org.pararnn.cells.ParaLSTM;
import org.pararnn.lm.model.Generator;
import org.pararnn.lm.model.LanguageModel;
import org.pararnn.lm.model.ModelConfig;
import org.pararnn.lm.train.AdamW;
import org.pararnn.lm.train.TrainConfig;

/**
 * Measures one backend: the scan per structure (forward, reverse) beside a plain pass over the same bytes; ParaGRU
 * and ParaLSTM forward and forward + backward in each mode, each paired against the sequential solve (alternating
 * blocks in this JVM, {@link PairedTiming}) with the sequential one paired against the memory floor
 * ({@link MemoryFloor}); one language-model training step; generation.
 */
final class BenchRun {
    static final List<String> CELL_MODES = List.of("sequential", "newton-in-time", "parallel", "auto");
    static final List<String> CELLS = List.of("paragru", "paralstm");
    static final List<String> PASSES = List.of("forward", "forward+backward");
    static final List<JacobianStructure> STRUCTURES = List.of(JacobianStructure.diagonal(), JacobianStructure.blockDiagonal(2),
            JacobianStructure.dense());

    private final Sweep sweep;
    private final PrintStream progress;
    final List<Figure> figures = new ArrayList<>();
    final List<Map<String, Object>> absent = new ArrayList<>();
    private final long started = System.nanoTime();
    private int done;
    private int total;

    BenchRun(Sweep sweep, PrintStream progress) {
        this.sweep = sweep;
        this.progress = progress;
    }

    /** Work items per backend, for the progress line's estimate. */
    int itemsPerBackend() {
        int shapes = sweep.shapes().size();
        return STRUCTURES.size() * 2 * shapes + 1 + CELLS.size() * PASSES.size() * shapes * CELL_MODES.size() + 2;
    }

    void expect(int backends) {
        total = backends * itemsPerBackend();
    }

    void run(String name) {
        // One instance for every mode: each fused solver is made with the strategy it measures. Opened as every command
        // opens its backend (the session closes it).
        try (org.pararnn.lm.app.Session session = org.pararnn.lm.app.Session.open(
                new org.pararnn.lm.app.SolverSettings(name, "bench --backends", Mode.AUTO))) {
            Backend backend = session.get(Backend.class);
            for (JacobianStructure st : STRUCTURES) {
                for (int[] shape : sweep.shapes()) {
                    scan(backend, st, shape[0], shape[1]);
                }
            }
            prewarm(backend);
            for (String c : CELLS) {
                for (String pass : PASSES) {
                    for (int[] shape : sweep.shapes()) {
                        cell(backend, c, pass, shape[0], shape[1]);
                    }
                }
            }
            model(backend);
        }
    }

    private void step(String what) {
        done++;
        double elapsed = (System.nanoTime() - started) / 1e9;
        String left = done <= 1 ? "estimating" : duration(elapsed / (done - 1) * (total - done + 1)) + " left";
        progress.printf(Locale.ROOT, "[%3d/%d] %s (%s)%n", done, total, what, left);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s" : s + "s";
    }

    private void missing(String backend, String kind, String subject, String pass, String mode, int steps, int lanes, String why) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", Figure.id(backend, kind, subject, pass, mode, steps, lanes));
        m.put("backend", backend);
        m.put("kind", kind);
        m.put("subject", subject);
        m.put("pass", pass);
        m.put("mode", mode);
        m.put("steps", steps);
        m.put("lanes", lanes);
        m.put("reason", why);
        absent.add(m);
    }

    private void scan(Backend backend, JacobianStructure st, int steps, int lanes) {
        int s = switch (st) {
            case JacobianStructure.Diagonal d -> Sweep.width(lanes);
            case JacobianStructure.BlockDiagonal b -> Math.max(2, Sweep.width(lanes));
            case JacobianStructure.Dense d -> Math.min(16, Sweep.width(lanes));
        };
        int batch = Math.max(1, lanes / s);
        int c = st.coefficientsPerStep(s);
        long coeffs = (long) batch * steps * c;
        LinearScan scan = backend.scan();
        for (String direction : List.of("forward", "reverse")) {
            step(backend.name() + " scan " + st.describe() + " " + direction + " T=" + steps + " BD=" + lanes);
            if (!scan.supports(st)) {
                missing(backend.name(), "scan", st.describe(), direction, backend.name(), steps, lanes,
                        "the " + backend.name() + " scan does not support the " + st.describe() + " structure");
                continue;
            }
            if (coeffs + 3L * batch * steps * s > Sweep.MAX_FLOATS) {
                missing(backend.name(), "scan", st.describe(), direction, backend.name(), steps, lanes,
                        "needs " + (coeffs + 3L * batch * steps * s) * 4 / (1 << 20) + " MiB, above the bench's limit");
                continue;
            }
            Random r = new Random(steps * 31L + lanes);
            float[] a = new float[(int) coeffs];
            double spread = st instanceof JacobianStructure.Dense ? 0.9 / s : st instanceof JacobianStructure.BlockDiagonal ? 0.45 : 0.95;
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) ((2 * r.nextDouble() - 1) * spread);
            }
            float[] b = gaussian(batch * steps * s, r);
            float[] out = new float[b.length];
            float[] floorIn = new float[a.length + b.length];
            float[] floorOut = new float[out.length];
            ScanProblem problem = ScanProblem.whole(st, batch, steps, s, a, b, null, out);
            Runnable run = direction.equals("forward") ? () -> scan.forward(problem) : () -> scan.reverse(problem);
            Runnable floor = fastest(() -> MemoryFloor.pass(floorIn, floorOut), () -> MemoryFloor.pass(floorIn, floorOut, 1));
            warm(run, backend.name() + " scan " + st.describe() + " " + direction);
            PairedTiming.Result t = paired(floor, run);
            figures.add(new Figure(backend.name(), "scan", st.describe(), direction, backend.name(), steps, lanes,
                    (double) batch * steps * s, "element-steps", t.samplesB(), t.medianA(), new double[0],
                    "B=" + batch + " S=" + s + "; floor reads " + (c + s) + " and writes " + s + " floats per step",
                    counted(backend, run)));
        }
    }

    /** One more run of {@code run} between two of the backend's kernel tallies, where it keeps them; else null. */
    private static org.pararnn.api.spi.KernelTally counted(Backend backend, Runnable run) {
        java.util.Optional<org.pararnn.api.spi.KernelTally> before = backend.kernelTally();
        if (before.isEmpty()) {
            return null;
        }
        run.run();
        return backend.kernelTally().orElseThrow().since(before.get());
    }

    private void cell(Backend backend, String name, String pass, int steps, int lanes) {
        int width = Sweep.width(lanes);
        int batch = Sweep.batch(lanes);
        Cell cell = name.equals("paragru") ? ParaGRU.create(8, width, 1, 7) : ParaLSTM.create(8, width, 1, 7);
        String b = backend.name();
        long floats = (long) batch * steps * (cell.projectedWidth() + 3L * cell.stateWidth());
        if (floats > Sweep.MAX_FLOATS) {
            for (String m : CELL_MODES) {
                step(b + " " + name + " " + pass + " " + m + " T=" + steps + " BD=" + lanes);
                missing(b, "cell", name, pass, m, steps, lanes, "needs " + floats * 4 / (1 << 20) + " MiB, above the bench's limit");
            }
            return;
        }
        Random r = new Random(steps * 17L + lanes);
        float[] u = gaussian(batch * steps * cell.projectedWidth(), r);
        Recurrence problem = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        float[] states = new float[batch * steps * cell.stateWidth()];
        float[] gradStates = gaussian(states.length, r);
        float[] gradU = new float[u.length];
        Gradients grads = Gradients.of(cell);
        float[] floorStates = new float[states.length];
        int k = cell.stateWidth() / width;
        boolean backward = pass.equals("forward+backward");
        Runnable floor = fastest(() -> {
            MemoryFloor.stream(u, floorStates, batch * steps, width, k);
            if (backward) {
                MemoryFloor.stream(u, floorStates, batch * steps, width, k);
            }
        }, () -> {
            MemoryFloor.stream(u, floorStates, batch * steps, width, k, 1);
            if (backward) {
                MemoryFloor.stream(u, floorStates, batch * steps, width, k, 1);
            }
        });
        Map<String, Optional<RecurrenceSolver>> solvers = new LinkedHashMap<>();
        solvers.put("sequential", Optional.of(backend.fused(cell, FusedStrategy.SEQUENTIAL)
                .orElseGet(() -> new SequentialSolver(backend.name(), backend.loop()))));
        solvers.put("newton-in-time", backend.fused(cell, FusedStrategy.NEWTON));
        solvers.put("parallel", backend.scan().supports(cell.jacobianStructure()) ? Optional.of(new NewtonSolver(backend))
                : Optional.empty());
        solvers.put("auto", Optional.of(RnnSolver.on(backend).mode(Mode.AUTO).fused(FusedStrategy.AUTO).solverFor(cell, batch, steps)));
        Runnable sequential = runner(solvers.get("sequential").orElseThrow(), problem, states, gradStates, gradU, grads, backward);
        double floorMs = Double.NaN;
        double[] floorPaired = null;
        String seqDetail = null;
        // The sequential figure's own runs are those it made beside the other modes (the floor's pass wakes other
        // threads, which slows what runs right after it on a small machine); the floor pairing gives the floor.
        List<double[]> seqRuns = new ArrayList<>();
        for (String m : CELL_MODES) {
            step(b + " " + name + " " + pass + " " + m + " T=" + steps + " BD=" + lanes);
            Optional<RecurrenceSolver> solver = solvers.get(m);
            if (solver.isEmpty()) {
                missing(b, "cell", name, pass, m, steps, lanes, m.equals("parallel")
                        ? "the " + b + " scan does not support " + cell.jacobianStructure().describe()
                        : "backend " + b + " has no fused Newton-in-time solver for " + cell.type());
                continue;
            }
            SolveReport report = solver.get().forward(problem, states);
            String detail = "B=" + batch + " D=" + width + "; " + report.detail() + "; iterations " + report.iterations();
            Runnable run = runner(solver.get(), problem, states, gradStates, gradU, grads, backward);
            warm(run, b + " " + name + " " + pass + " " + m + " " + (lanes == 1 ? "one feature" : "features"));
            if (m.equals("sequential")) {
                PairedTiming.Result t = paired(floor, run);
                floorMs = t.medianA();
                floorPaired = t.samplesB();
                seqDetail = detail;
                continue;
            }
            PairedTiming.Result t = paired(sequential, run);
            seqRuns.add(t.samplesA());
            figures.add(new Figure(b, "cell", name, pass, m, steps, lanes, (double) batch * steps * width, "element-steps",
                    t.samplesB(), floorMs, t.ratios(), detail, counted(backend, run)));
        }
        double[] seqSamples = seqRuns.isEmpty() ? floorPaired
                : seqRuns.stream().flatMapToDouble(java.util.Arrays::stream).sorted().toArray();
        figures.add(new Figure(b, "cell", name, pass, "sequential", steps, lanes, (double) batch * steps * width, "element-steps",
                seqSamples, floorMs, new double[0], seqDetail, counted(backend, sequential)));
    }

    /**
     * Every cell's solvers, forward and backward, at two small shapes (one feature and 64), before any cell is timed:
     * the fused kernels are large methods that C2 takes a while to compile, and a figure timed meanwhile measures the
     * compiler.
     */
    private void prewarm(Backend backend) {
        step(backend.name() + " warming the cells' solvers up (JIT)");
        long each = sweep.warmupMs() * 6L / 10;
        for (String name : CELLS) {
            for (int lanes : new int[] {1, 64}) {
                int width = Sweep.width(lanes);
                Cell cell = name.equals("paragru") ? ParaGRU.create(8, width, 1, 7) : ParaLSTM.create(8, width, 1, 7);
                int steps = 512;
                Random r = new Random(3);
                float[] u = gaussian(steps * cell.projectedWidth(), r);
                Recurrence problem = new Recurrence(cell, 1, steps, u, null, NewtonOptions.defaults());
                float[] states = new float[steps * cell.stateWidth()];
                float[] gradStates = gaussian(states.length, r);
                float[] gradU = new float[u.length];
                Gradients grads = Gradients.of(cell);
                List<RecurrenceSolver> solvers = new ArrayList<>();
                backend.fused(cell, FusedStrategy.SEQUENTIAL).ifPresent(solvers::add);
                backend.fused(cell, FusedStrategy.NEWTON).ifPresent(solvers::add);
                solvers.add(RnnSolver.on(backend).mode(Mode.AUTO).fused(FusedStrategy.AUTO).solverFor(cell, 1, steps));
                for (RecurrenceSolver solver : solvers) {
                    warm(runner(solver, problem, states, gradStates, gradU, grads, true), each);
                }
            }
        }
    }

    private static Runnable runner(RecurrenceSolver solver, Recurrence problem, float[] states, float[] gradStates, float[] gradU,
                                   Gradients grads, boolean backward) {
        // The adjoint overwrites its ∂L/∂h with λ; a copy of the same gradients each time (one pass over B·T·S floats).
        float[] work = backward ? new float[gradStates.length] : null;
        return () -> {
            solver.forward(problem, states);
            if (backward) {
                System.arraycopy(gradStates, 0, work, 0, work.length);
                solver.backward(problem, states, work, gradU, grads, null);
            }
        };
    }

    /** One training step of a small language model (tokens/s) and generation (tokens/s), on the backend's ops. */
    private void model(Backend backend) {
        int dim = sweep.quick() ? 64 : 128;
        int layers = sweep.quick() ? 2 : 4;
        int context = 64;
        int batch = sweep.quick() ? 8 : 12;
        int vocab = 65;
        LanguageModel model = new LanguageModel(ModelConfig.languageModel(vocab, dim, layers, 2, "paragru", 1))
                .solver(RnnSolver.on(backend).mode(Mode.AUTO));
        AdamW optimizer = AdamW.of(model.parameters(), TrainConfig.textDefaults());
        Random r = new Random(5);
        int[] tokens = new int[batch * context];
        int[] targets = new int[batch * context];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(vocab);
            targets[i] = r.nextInt(vocab);
        }
        String shape = "D=" + dim + ", " + layers + " layers, 2 heads, paragru, batch " + batch + " × " + context + " tokens";
        step(backend.name() + " model train-step (" + shape + ")");
        double[] train = samples(() -> optimizer.trainStep(model, tokens, targets, batch, context, 1e-4), sweep.modelRuns());
        figures.add(new Figure(backend.name(), "model", "train-step", "step", "auto", context, batch, (double) batch * context,
                "tokens", train, Double.NaN, new double[0], shape + "; forward, backward and AdamW"));
        int count = sweep.quick() ? 32 : 128;
        step(backend.name() + " model generate (" + count + " tokens)");
        Generator generator = new Generator(model, 1, 1f, 0);
        int[] prompt = java.util.Arrays.copyOf(tokens, 8);
        double[] gen = samples(() -> generator.generate(prompt, count), Math.max(3, sweep.modelRuns() / 2));
        figures.add(new Figure(backend.name(), "model", "generate", "tokens", "auto", count, 1, count, "tokens", gen,
                Double.NaN, new double[0], "the same model; an 8-token prompt, then " + count + " tokens one at a time"));
    }

    /**
     * Runs {@code run} until the JIT has had its chance: at least 3 times and {@value #WARM_MS} ms (at most 200 times),
     * so that no figure's first block times the compiler.
     */
    private static void warm(Runnable run) {
        warm(run, WARM_MS);
    }

    private static void warm(Runnable run, long ms) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 100_000 && (i < 3 || System.nanoTime() - t0 < ms * 1_000_000L); i++) {
            run.run();
        }
    }

    /** Code paths already warmed: a path's first figure waits {@link Sweep#warmupMs} for its JIT. */
    private final java.util.Set<String> warmed = new java.util.HashSet<>();

    private void warm(Runnable run, String path) {
        warm(run, warmed.add(path) ? sweep.warmupMs() : Math.min(WARM_MS, sweep.warmupMs()));
    }

    static final int WARM_MS = 150;

    /** {@link PairedTiming} with the effort the sweep gives a figure of this cost ({@link Sweep#effort}). */
    private PairedTiming.Result paired(Runnable a, Runnable b) {
        int[] effort = sweep.effort(median(a, 1) / 1e9, median(b, 1) / 1e9);
        return PairedTiming.measure(a, b, effort[0], effort[1]);
    }

    /**
     * The floor pass that moves its bytes faster here: on all cores, or on one where the arrays are small enough that
     * forking costs more than the bytes (a floor must be the fastest way to move them, or fractions above 1 mean little).
     */
    private static Runnable fastest(Runnable allCores, Runnable oneCore) {
        warm(allCores);
        warm(oneCore);
        return median(allCores, 7) <= median(oneCore, 7) ? allCores : oneCore;
    }

    private static double median(Runnable run, int n) {
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            run.run();
            t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        return t[n / 2];
    }

    private static double[] samples(Runnable run, int n) {
        warm(run);
        double[] t = new double[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            run.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(t);
        return t;
    }

    private static float[] gaussian(int n, Random r) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
