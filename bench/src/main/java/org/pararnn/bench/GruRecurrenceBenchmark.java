package org.pararnn.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonSolver;
import org.pararnn.api.solve.SequentialSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;
import org.pararnn.cells.ParaGRU;

/**
 * ParaGRU forward recurrence (after the input projection) per backend and mode, beside the memory
 * floor for the same shape: {@code floor} streams exactly the bytes a sequential GRU forward must
 * move (reads {@code u}, 3 floats, writes {@code h}, 1 float: 16 B per element-step) on all threads,
 * so {@code floor time / mode time} is the fraction of the floor reached. Shapes are {@code T:B·D}
 * ({@code B·D ≤ 8}: one sequence of {@code D} features; above: {@code D = 64}); combinations above
 * 2²⁷ element-steps are left out. Modes: {@code FUSED_SEQUENTIAL} (the backend's fused solver,
 * sequential in time), {@code FUSED_NEWTON} (its fused Newton in time; the Newton iterations of the
 * shape are printed once per trial, so time per iteration can be read off), {@code FUSED} (the fused
 * solver choosing by shape), {@code PARALLEL} (generic Newton over the backend's scan),
 * {@code SEQUENTIAL} (generic step loop), {@code AUTO}. The fused strategies are selected with the
 * backends' {@code pararnn.cpu.fused} / {@code pararnn.opencl.fused} properties. Backends: {@code cpu}
 * and {@code opencl} side by side (on a machine whose OpenCL device is the CPU, PoCL, both share the
 * same cores and memory, so the ratio measures the kernels and Aparapi's overheads, not hardware).
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx14g"})
public class GruRecurrenceBenchmark {

    @Param({"1024:1", "1024:8", "1024:128", "1024:8192", "65536:1", "65536:8", "65536:128",
            "1048576:1", "1048576:8", "1048576:128"})
    public String shape;

    @Param({"floor", "FUSED_SEQUENTIAL", "FUSED_NEWTON", "FUSED", "PARALLEL", "SEQUENTIAL", "AUTO"})
    public String mode;

    @Param({"cpu", "opencl"})
    public String backend;

    private Backend engine;
    private RecurrenceSolver solver;
    private Recurrence problem;
    private float[] states;
    private int batch;
    private int width;
    private int steps;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        steps = Integer.parseInt(parts[0]);
        int lanes = Integer.parseInt(parts[1]);
        width = lanes <= 8 ? lanes : 64;
        batch = lanes / width;
        ParaGRU cell = ParaGRU.create(8, width, 1, 7);
        float[] u = new float[batch * steps * 3 * width];
        Random r = new Random(1);
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) r.nextGaussian();
        }
        problem = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        states = new float[batch * steps * width];
        String strategy = switch (mode) {
            case "FUSED_SEQUENTIAL" -> "sequential";
            case "FUSED_NEWTON" -> "newton";
            default -> "auto";
        };
        // Set before the backend is made: the OpenCL backend reads its strategy when it is created.
        System.setProperty("pararnn.cpu.fused", strategy);
        System.setProperty("pararnn.opencl.fused", strategy);
        engine = Backends.fromEnvironment().forcing(backend, "benchmark parameter").choose();
        solver = switch (mode) {
            case "floor" -> null;
            case "FUSED", "FUSED_SEQUENTIAL", "FUSED_NEWTON" -> engine.fused(cell).orElseThrow();
            case "PARALLEL" -> new NewtonSolver(engine);
            case "SEQUENTIAL" -> new SequentialSolver(engine.name(), engine.loop());
            case "AUTO" -> engine.autoChoice(cell, batch, steps)
                    .map(c -> c.mode() == org.pararnn.api.Mode.FUSED ? engine.fused(cell).orElseThrow()
                            : (RecurrenceSolver) new NewtonSolver(engine))
                    .orElseGet(() -> new SequentialSolver(engine.name(), engine.loop()));
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        if (solver != null) {
            SolveReport report = solver.forward(problem, states);
            System.out.println("[" + shape + " " + mode + "] iterations=" + report.iterations() + " " + report.detail());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
    }

    @Benchmark
    public void forward(Blackhole bh) {
        if (solver == null) {
            floor(bh);
            return;
        }
        SolveReport report = solver.forward(problem, states);
        bh.consume(report.iterations());
        bh.consume(states[states.length - 1]);
    }

    /** The bytes of a sequential GRU forward and nothing else ({@link MemoryFloor}). */
    private void floor(Blackhole bh) {
        MemoryFloor.stream(problem.u(), states, batch * steps, width);
        bh.consume(states[states.length - 1]);
    }
}
