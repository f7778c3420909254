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
import org.pararnn.api.Cell;
import org.pararnn.api.Gradients;
import org.pararnn.api.NewtonOptions;
import org.pararnn.api.SolveReport;
import org.pararnn.api.solve.NewtonSolver;
import org.pararnn.api.solve.SequentialSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Backends;
import org.pararnn.api.spi.FusedStrategy;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * A fused cell's recurrence (after the input projection) per backend and mode, beside the memory floor
 * for the same shape; {@link GruRecurrenceBenchmark} and {@link LstmRecurrenceBenchmark} fix the cell.
 * {@code floor} streams exactly the bytes a sequential forward must move (reads {@code u}, 3 floats, and
 * writes the state: ParaGRU 1 float, 16 B per element-step; ParaLSTM c and h, 20 B) on all threads, so
 * {@code floor time / mode time} is the fraction of the floor reached (for the host backends; a GPU's own
 * floor is a device-to-device copy, in {@code FusedTiming} of backend-cuda, beside the kernels' event
 * times). Shapes are {@code T:B·D} ({@code B·D ≤ 64}: one sequence of {@code D} features; above:
 * {@code D = 64}); combinations above 2²⁷ element-steps are left out. Modes: {@code FUSED_SEQUENTIAL}
 * (the backend's fused solver, sequential in time), {@code FUSED_NEWTON} (its fused Newton in time; the
 * Newton iterations of the shape are printed once per trial, so time per iteration can be read off),
 * {@code FUSED} (the fused solver choosing by shape), {@code PARALLEL} (generic Newton over the backend's
 * scan), {@code SEQUENTIAL} (generic step loop), {@code AUTO}. The fused strategies are selected with the
 * backends' {@code pararnn.cpu.fused} / {@code pararnn.opencl.fused} / {@code pararnn.cuda.fused}
 * properties. {@code forward} times the forward; {@code forwardBackward} the forward and the adjoint
 * (∂L/∂u, ∂L/∂h0 and the recurrent weights' gradients) of the same mode. Backends: {@code cpu} and
 * {@code opencl} side by side by default (on a machine whose OpenCL device is the CPU, PoCL, both share the
 * same cores and memory, so the ratio measures the kernels and Aparapi's overheads, not hardware);
 * {@code -p backend=cuda} on a GPU, where the whole call also moves {@code u} and the states across the bus.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx14g"})
public abstract class RecurrenceBenchmark {

    @Param({"1024:1", "1024:8", "1024:128", "1024:8192", "65536:1", "65536:8", "65536:128",
            "1048576:1", "1048576:8", "1048576:128"})
    public String shape;

    @Param({"floor", "FUSED_SEQUENTIAL", "FUSED_NEWTON", "FUSED", "PARALLEL", "SEQUENTIAL", "AUTO"})
    public String mode;

    @Param({"cpu", "opencl"})
    public String backend;

    private Backend engine;
    private Cell cell;
    private RecurrenceSolver solver;
    private Recurrence problem;
    private float[] states;
    private float[] gradStates;
    private float[] gradU;
    private Gradients grads;
    private int batch;
    private int width;
    private int steps;

    /** The cell of this benchmark: 8 inputs, {@code width} features, one head. */
    abstract Cell cell(int width);

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = shape.split(":");
        steps = Integer.parseInt(parts[0]);
        int lanes = Integer.parseInt(parts[1]);
        width = Math.min(lanes, 64);
        batch = lanes / width;
        cell = cell(width);
        float[] u = new float[batch * steps * cell.projectedWidth()];
        Random r = new Random(1);
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) r.nextGaussian();
        }
        problem = new Recurrence(cell, batch, steps, u, null, NewtonOptions.defaults());
        states = new float[batch * steps * cell.stateWidth()];
        gradStates = new float[states.length];
        for (int i = 0; i < gradStates.length; i++) {
            gradStates[i] = (float) r.nextGaussian();
        }
        gradU = new float[u.length];
        grads = Gradients.of(cell);
        FusedStrategy strategy = switch (mode) {
            case "FUSED_SEQUENTIAL" -> FusedStrategy.SEQUENTIAL;
            case "FUSED_NEWTON" -> FusedStrategy.NEWTON;
            default -> FusedStrategy.AUTO;
        };
        engine = Backends.fromEnvironment().forcing(backend, "benchmark parameter").choose();
        solver = switch (mode) {
            case "floor" -> null;
            case "FUSED", "FUSED_SEQUENTIAL", "FUSED_NEWTON" -> engine.fused(cell, strategy).orElseThrow();
            case "PARALLEL" -> new NewtonSolver(engine);
            case "SEQUENTIAL" -> new SequentialSolver(engine.name(), engine.loop());
            case "AUTO" -> engine.autoChoice(cell, batch, steps)
                    .map(c -> c.mode() == org.pararnn.api.Mode.FUSED ? engine.fused(cell, strategy).orElseThrow()
                            : (RecurrenceSolver) new NewtonSolver(engine))
                    .orElseGet(() -> new SequentialSolver(engine.name(), engine.loop()));
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        if (solver != null) {
            SolveReport report = solver.forward(problem, states);
            SolveReport back = solver.backward(problem, states, gradStates, gradU, grads, null);
            System.out.println("[" + cell.type() + " " + shape + " " + mode + "] iterations=" + report.iterations() + " "
                    + report.detail() + " | backward: " + back.detail());
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

    @Benchmark
    public void forwardBackward(Blackhole bh) {
        if (solver == null) {
            // The adjoint's floor: reads u, the states and their gradients, writes ∂L/∂u.
            floor(bh);
            floor(bh);
            return;
        }
        SolveReport report = solver.forward(problem, states);
        SolveReport back = solver.backward(problem, states, gradStates, gradU, grads, null);
        bh.consume(report.iterations());
        bh.consume(back.converged());
        bh.consume(gradU[gradU.length - 1]);
    }

    /** The bytes of a sequential forward and nothing else ({@link MemoryFloor}). */
    private void floor(Blackhole bh) {
        MemoryFloor.stream(problem.u(), states, batch * steps, width, cell.stateWidth() / width);
        bh.consume(states[states.length - 1]);
    }
}
