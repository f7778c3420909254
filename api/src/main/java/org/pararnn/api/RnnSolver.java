package org.pararnn.api;

import java.util.Objects;
import java.util.Optional;
import org.pararnn.api.solve.NewtonSolver;
import org.pararnn.api.solve.SequentialSolver;
import org.pararnn.api.spi.Backend;
import org.pararnn.api.spi.Recurrence;
import org.pararnn.api.spi.RecurrenceSolver;

/**
 * The entry point: runs a {@link Cell} over {@code x [B][T][N]} on a backend in a chosen {@link Mode},
 * forward and backward, validating input and reporting what ran.
 *
 * <pre>{@code
 * try (Backend backend = Backends.select()) {
 *     RnnSolver solver = RnnSolver.on(backend).mode(Mode.PARALLEL);
 *     ForwardPass fwd = solver.forward(cell, x, batch, steps);
 *     BackwardPass bwd = solver.backward(fwd, gradOutput);
 * }
 * }</pre>
 * Instances are immutable and thread-safe.
 */
public final class RnnSolver {
    /** AUTO uses generic Newton only with at least this many threads: it does several sequential passes' work. */
    static final int AUTO_MIN_PARALLELISM = 8;
    /** ... and only for sequences at least this long. */
    static final int AUTO_MIN_STEPS = 1024;

    private final Backend backend;
    private final Mode mode;
    private final NewtonOptions newton;
    /** How fused solvers run in time; null: as the backend's options say. */
    private final org.pararnn.api.spi.FusedStrategy strategy;

    private RnnSolver(Backend backend, Mode mode, NewtonOptions newton, org.pararnn.api.spi.FusedStrategy strategy) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.newton = Objects.requireNonNull(newton, "newton");
        this.strategy = strategy;
    }

    /** AUTO mode with default Newton options. */
    public static RnnSolver on(Backend backend) {
        return new RnnSolver(backend, Mode.AUTO, NewtonOptions.defaults(), null);
    }

    public RnnSolver mode(Mode m) {
        return new RnnSolver(backend, m, newton, strategy);
    }

    public RnnSolver newton(NewtonOptions options) {
        return new RnnSolver(backend, mode, options, strategy);
    }

    /**
     * Fused solvers that run in time as {@code s} says, whatever the backend's own option
     * ({@link Backend#fused(Cell, org.pararnn.api.spi.FusedStrategy)}); null: as the backend's options say.
     */
    public RnnSolver fused(org.pararnn.api.spi.FusedStrategy s) {
        return new RnnSolver(backend, mode, newton, s);
    }

    private Optional<RecurrenceSolver> fusedSolver(Cell cell) {
        return strategy == null ? backend.fused(cell) : backend.fused(cell, strategy);
    }

    public Backend backend() {
        return backend;
    }

    public Mode mode() {
        return mode;
    }

    public NewtonOptions newtonOptions() {
        return newton;
    }

    /** Forward from the zero state. */
    public ForwardPass forward(Cell cell, float[] x, int batch, int steps) {
        return forward(cell, x, batch, steps, null);
    }

    /**
     * Forward from {@code h0 [B][S]} (zeros when null).
     *
     * @throws IllegalArgumentException naming the argument, for wrong sizes or NaN/Inf values
     * @throws SolveFailedException     when no trustworthy result could be produced
     */
    public ForwardPass forward(Cell cell, float[] x, int batch, int steps, float[] h0) {
        Objects.requireNonNull(cell, "cell");
        Checks.positive("batch", batch);
        Checks.positive("steps", steps);
        int n = cell.inputWidth();
        Checks.length("x", x, Checks.elements("x", batch, steps, n), "[" + batch + "][" + steps + "][" + n + "]");
        Checks.finite("x", x, steps, n);
        if (h0 != null) {
            Checks.length("h0", h0, Checks.elements("h0", batch, cell.stateWidth()),
                    "[" + batch + "][" + cell.stateWidth() + "]");
            Checks.finite("h0", h0, 1, cell.stateWidth());
        }
        float[] u = new float[Checks.elements("u", batch, steps, cell.projectedWidth())];
        cell.project(backend.hostOps(), x, u, batch * steps);
        Recurrence problem = new Recurrence(cell, batch, steps, u, h0, newton);
        Choice choice = choose(cell, batch, steps);
        float[] states = new float[Checks.elements("states", batch, steps, cell.stateWidth())];
        SolveReport report = choice.solver.forward(problem, states);
        if (mode != report.used() || choice.reason != null) {
            report = report.withRequested(mode, choice.reason);
        }
        return new ForwardPass(problem, x, states, outputSlice(cell, states, batch * steps), report);
    }

    /** Backward with {@code gradOutput = ∂L/∂y [B][T][outputWidth]}, into fresh gradients. */
    public BackwardPass backward(ForwardPass fwd, float[] gradOutput) {
        return backward(fwd, gradOutput, null, Gradients.of(fwd.cell()));
    }

    /**
     * Backward with {@code gradOutput = ∂L/∂y} and optionally {@code gradFinalState = ∂L/∂h_T [B][S]}
     * (from the next chunk of a stream), adding parameter gradients into {@code into}.
     */
    public BackwardPass backward(ForwardPass fwd, float[] gradOutput, float[] gradFinalState, Gradients into) {
        Objects.requireNonNull(fwd, "forward pass");
        Objects.requireNonNull(into, "gradients");
        Cell cell = fwd.cell();
        int batch = fwd.batch();
        int steps = fwd.steps();
        int s = cell.stateWidth();
        int ow = cell.outputWidth();
        Checks.length("gradOutput", gradOutput, batch * steps * ow, "[" + batch + "][" + steps + "][" + ow + "]");
        Checks.finite("gradOutput", gradOutput, steps, ow);
        float[] gradStates = new float[batch * steps * s];
        int off = cell.outputOffset();
        for (int r = 0; r < batch * steps; r++) {
            System.arraycopy(gradOutput, r * ow, gradStates, r * s + off, ow);
        }
        if (gradFinalState != null) {
            Checks.length("gradFinalState", gradFinalState, batch * s, "[" + batch + "][" + s + "]");
            Checks.finite("gradFinalState", gradFinalState, 1, s);
            for (int b = 0; b < batch; b++) {
                int base = (b * steps + steps - 1) * s;
                for (int i = 0; i < s; i++) {
                    gradStates[base + i] += gradFinalState[b * s + i];
                }
            }
        }
        Recurrence problem = fwd.recurrence();
        RecurrenceSolver solver = solverFor(fwd.report().used(), cell);
        float[] gradU = new float[batch * steps * cell.projectedWidth()];
        float[] gradInit = new float[batch * s];
        SolveReport report = solver.backward(problem, fwd.states(), gradStates, gradU, into, gradInit);
        float[] gradX = new float[batch * steps * cell.inputWidth()];
        cell.projectBackward(backend.hostOps(), fwd.input(), gradU, gradX, into, batch * steps);
        return new BackwardPass(gradX, into, gradInit, report);
    }

    /**
     * {@code cell} as a layer of a model whose activations live on this backend's arrays: forward and backward
     * over {@link org.pararnn.api.ops.Matrix} views, on the device where the backend can (see {@link LayerSolve}).
     * {@code grads} receives the cell's gradients when solves go through Java arrays.
     */
    public LayerSolve layer(Cell cell, Gradients grads) {
        return new LayerSolve(this, cell, grads);
    }

    /**
     * The solver this one runs for {@code cell} over {@code batch × steps} (AUTO resolved as a forward would
     * resolve it): for timing a recurrence alone, as the benchmarks do.
     */
    public RecurrenceSolver solverFor(Cell cell, int batch, int steps) {
        return choose(cell, batch, steps).solver;
    }

    /** The solver that runs for {@code cell} under this solver's mode, with AUTO's reasoning. */
    record Choice(RecurrenceSolver solver, String reason) {
    }

    Choice choose(Cell cell, int batch, int steps) {
        if (newton.elk() && mode == Mode.AUTO) {
            return new Choice(solverFor(Mode.PARALLEL, cell), "AUTO: " + newton.method()
                    + " asked for: generic Newton (fused kernels run plain Newton)");
        }
        if (mode != Mode.AUTO) {
            return new Choice(solverFor(mode, cell), null);
        }
        Optional<Backend.AutoChoice> pick = backend.autoChoice(cell, batch, steps);
        if (pick.isPresent()) {
            return new Choice(solverFor(pick.get().mode(), cell), "AUTO: " + pick.get().reason());
        }
        Optional<RecurrenceSolver> fused = fusedSolver(cell);
        if (fused.isPresent()) {
            return new Choice(fused.get(), "AUTO: backend has fused kernels for " + cell.type());
        }
        int threads = backend.loop().parallelism();
        if (threads < AUTO_MIN_PARALLELISM) {
            return new Choice(solverFor(Mode.SEQUENTIAL, cell), "AUTO: " + threads
                    + " thread(s) cannot repay generic Newton's extra passes");
        }
        if (batch * 2 >= threads || steps < AUTO_MIN_STEPS) {
            return new Choice(solverFor(Mode.SEQUENTIAL, cell), "AUTO: batch " + batch + " × " + steps
                    + " steps is served best by parallelism over the batch");
        }
        return new Choice(solverFor(Mode.PARALLEL, cell), "AUTO: small batch, long sequence: parallel over time");
    }

    private RecurrenceSolver solverFor(Mode m, Cell cell) {
        return switch (m) {
            case SEQUENTIAL -> new SequentialSolver(backend.name(), backend.loop());
            case PARALLEL -> new NewtonSolver(backend);
            case FUSED -> {
                if (newton.elk()) {
                    throw new UnsupportedOperationException("fused kernels run plain Newton (DEER), not the "
                            + newton.method() + " the Newton options ask for; use mode PARALLEL (or AUTO)");
                }
                yield fusedSolver(cell).orElseThrow(() -> new UnsupportedOperationException(
                    "backend '" + backend.name() + "' has no fused solver for cell type '" + cell.type()
                            + "'; use mode PARALLEL or SEQUENTIAL"));
            }
            case AUTO -> throw new IllegalStateException("AUTO is resolved by choose()");
        };
    }

    private static float[] outputSlice(Cell cell, float[] states, int rows) {
        int s = cell.stateWidth();
        int ow = cell.outputWidth();
        int off = cell.outputOffset();
        if (off == 0 && ow == s) {
            return states;
        }
        float[] y = new float[rows * ow];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(states, r * s + off, y, r * ow, ow);
        }
        return y;
    }
}
